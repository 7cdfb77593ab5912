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

describe('the webhook inbox lets Meta be answered first', () => {
  /** A clock the test moves: sleeping moves it. */
  function scriptedPace() {
    const pace = {
      at: 0,
      sleeps: 0,
      now: () => pace.at,
      async sleep(ms: number) {
        pace.sleeps++;
        pace.at += ms;
      },
    };
    return pace;
  }

  function runningInbox(pace: ReturnType<typeof scriptedPace>, storeMs: number) {
    const ingested: unknown[] = [];
    const gateway = { running: true, read: (payload: unknown) => ({ ok: true, items: [payload] }), ingest: (items: unknown[]) => ingested.push(...items) };
    const s = scriptedStore(async (bodies) => {
      // The store's answer takes storeMs on the scripted clock: the requests' wait.
      pace.at += storeMs;
      return bodies.map(() => true);
    });
    const inbox = new WebhookInbox({ store: s.store, gateway: gateway as unknown as CloudGateway, clock: () => new Date(), logger: createLogger({ level: 'silent', pretty: false }), pace });
    return { inbox, ingested };
  }

  async function arrive(inbox: WebhookInbox, n: number, from = 0): Promise<void> {
    for (let i = from; i < from + n; i++) {
      const raw = Buffer.from(JSON.stringify({ n: i }));
      const { id } = await inbox.store(raw);
      inbox.process(id, raw.toString('utf8'));
    }
  }

  it('when requests are answered quickly, then what they brought is processed at once, in order', async () => {
    const pace = scriptedPace();
    const { inbox, ingested } = runningInbox(pace, 2);
    await arrive(inbox, 25);
    await inbox.idle();
    expect(ingested).toEqual(Array.from({ length: 25 }, (_, n) => ({ n })));
    expect(pace.sleeps).toBe(0);
  });

  it('when requests wait longer than the budget, then processing steps aside, a batch at most every 250 ms, and still gets everything through in order', async () => {
    const pace = scriptedPace();
    const { inbox, ingested } = runningInbox(pace, 40);
    // Meta presses: its requests wait 40 ms each for their writes, over the 10 ms budget.
    for (let i = 0; i < 20; i++) await inbox.store(Buffer.from(`pressing ${i}`));
    const sleep = pace.sleep;
    pace.sleep = async (ms) => {
      await sleep(ms);
      // And keeps pressing while processing waits.
      await inbox.store(Buffer.from(`pressing at ${pace.at}`));
    };
    const started = pace.at;
    for (let n = 0; n < 30; n++) inbox.process(`body-${n}`, JSON.stringify({ n }));
    await inbox.idle();
    expect(ingested).toEqual(Array.from({ length: 30 }, (_, n) => ({ n })));
    // Three batches of ten, each after the longest step aside, and not much more.
    expect(pace.at - started).toBeGreaterThanOrEqual(3 * 250);
    expect(pace.at - started).toBeLessThan(4 * 250);
  });
});
