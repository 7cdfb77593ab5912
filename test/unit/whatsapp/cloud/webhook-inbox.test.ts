import type { StoredWebhook } from '../../../../src/store/repositories/cloud-webhook-repository';
import { createLogger } from '../../../../src/logger';
import type { CloudGateway } from '../../../../src/whatsapp/cloud/cloud-gateway';
import { WebhookInbox } from '../../../../src/whatsapp/cloud/webhook-inbox';

/** A webhook store that answers each write as `answer` says, and records the writes. */
function scriptedStore(answer: (bodies: StoredWebhook[]) => Promise<Array<boolean | Error>> = async (b) => b.map(() => true)) {
  const writes: string[][] = [];
  return {
    writes,
    store: {
      async storeMany(bodies: StoredWebhook[]) {
        writes.push(bodies.map((b) => b.body));
        return answer(bodies);
      },
      async markProcessed() {},
      async findUnprocessed() {
        return null;
      },
      async unprocessed() {
        return [];
      },
    },
  };
}

const inboxOver = (store: ReturnType<typeof scriptedStore>['store']) =>
  new WebhookInbox({ store, gateway: { running: false } as unknown as CloudGateway, clock: () => new Date('2026-12-04T10:00:00Z'), logger: createLogger({ level: 'silent', pretty: false }) });

describe('the webhook inbox stores bodies in group writes', () => {
  it('when many webhooks arrive at once, then they are stored in fewer writes than requests, each answered for its own body', async () => {
    const s = scriptedStore();
    const inbox = inboxOver(s.store);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => inbox.store(Buffer.from(`{"n":${i}}`))));
    expect(results.every((r) => r.fresh)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(20);
    expect(s.writes.length).toBeLessThan(20);
    expect(s.writes.flat().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`).sort());
  });

  it('when a write is on its way, then the bodies arriving meanwhile wait for the next one, which takes them all', async () => {
    let release!: () => void;
    const first = new Promise<void>((res) => (release = res));
    const s = scriptedStore(async (bodies) => {
      if (bodies.some((b) => b.body === 'a')) await first;
      return bodies.map(() => true);
    });
    const inbox = inboxOver(s.store);
    const a = inbox.store(Buffer.from('a'));
    await new Promise((res) => setImmediate(res));
    const later = ['b', 'c', 'd'].map((x) => inbox.store(Buffer.from(x)));
    await new Promise((res) => setImmediate(res));
    expect(s.writes).toEqual([['a']]);
    release();
    await Promise.all([a, ...later]);
    expect(s.writes).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('when the same bytes come twice in one write, then they are stored once and only the first is new', async () => {
    const s = scriptedStore();
    const inbox = inboxOver(s.store);
    const [one, two] = await Promise.all([inbox.store(Buffer.from('same')), inbox.store(Buffer.from('same'))]);
    expect([one.fresh, two.fresh]).toEqual([true, false]);
    expect(s.writes).toEqual([['same']]);
  });

  it('when the store refuses one body of a write, then only its request fails (Meta retries it), and the others are answered', async () => {
    const s = scriptedStore(async (bodies) => bodies.map((b) => (b.body === 'bad' ? new Error('disk full') : b.body !== 'old')));
    const inbox = inboxOver(s.store);
    const [good, bad, old] = await Promise.allSettled(['good', 'bad', 'old'].map((x) => inbox.store(Buffer.from(x))));
    expect(good).toMatchObject({ status: 'fulfilled', value: { fresh: true } });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('disk full') });
    expect(old).toMatchObject({ status: 'fulfilled', value: { fresh: false } });
  });

  it('when a write fails as a whole, then every request in it fails, and the next write goes ahead', async () => {
    let down = true;
    const s = scriptedStore(async (bodies) => {
      if (down) throw new Error('connection reset');
      return bodies.map(() => true);
    });
    const inbox = inboxOver(s.store);
    const failed = await Promise.allSettled(['x', 'y'].map((x) => inbox.store(Buffer.from(x))));
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    down = false;
    await expect(inbox.store(Buffer.from('x'))).resolves.toMatchObject({ fresh: true });
  });
});
