import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const at = new Date('2026-12-04T10:00:00Z');
const body = (n: number) => ({ id: `hash-${n}`, body: `{"n":${n}}`, receivedAt: at });

describe('stored Cloud API webhooks, over a real MongoDB wire connection', () => {
  const db = useTestDb();
  const repos = useRepositories(db, () => at, ['cloud_webhooks']);

  it('when several bodies are stored in one write, then each is new once and a redelivery among them is told apart', async () => {
    expect(await repos.cloudWebhooks.storeMany([body(1), body(2)])).toEqual([true, true]);
    // One stored before, two new: the stored one does not keep the others out.
    expect(await repos.cloudWebhooks.storeMany([body(3), body(1), body(4)])).toEqual([true, false, true]);
    expect((await repos.cloudWebhooks.unprocessed(10)).map((w) => w.id).sort()).toEqual(['hash-1', 'hash-2', 'hash-3', 'hash-4']);
  });

  it('when bodies are marked processed together, then none of them waits any more and their bodies are gone, the hashes kept', async () => {
    await repos.cloudWebhooks.storeMany([body(1), body(2), body(3)]);
    await repos.cloudWebhooks.markProcessed(['hash-1', 'hash-3'], at);
    expect((await repos.cloudWebhooks.unprocessed(10)).map((w) => w.id)).toEqual(['hash-2']);
    const kept = await db.db.collection('cloud_webhooks').find({ _id: { $in: ['hash-1', 'hash-3'] } as never }).toArray();
    expect(kept.map((d) => [d._id, d.body, d.processedAt])).toEqual([['hash-1', undefined, at], ['hash-3', undefined, at]]);
    // A redelivery of a processed one is still recognised.
    expect(await repos.cloudWebhooks.storeMany([body(3)])).toEqual([false]);
  });

  it('when a redelivered body is looked up, then it is found only while it waits to be processed', async () => {
    await repos.cloudWebhooks.storeMany([body(1)]);
    expect(await repos.cloudWebhooks.findUnprocessed('hash-1')).toEqual(body(1));
    await repos.cloudWebhooks.markProcessed(['hash-1'], at);
    expect(await repos.cloudWebhooks.findUnprocessed('hash-1')).toBeNull();
    expect(await repos.cloudWebhooks.findUnprocessed('hash-9')).toBeNull();
  });

  it('when nothing is given, then nothing is written', async () => {
    expect(await repos.cloudWebhooks.storeMany([])).toEqual([]);
    await expect(repos.cloudWebhooks.markProcessed([], at)).resolves.toBeUndefined();
  });
});
