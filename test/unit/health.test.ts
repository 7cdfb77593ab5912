import { createHealth, publicReadiness, type HealthDeps } from '../../src/health';
import type { GatewayStatus } from '../../src/whatsapp/gateway';

const MB = 1024 * 1024;

/** A health with every edge scripted: the /proc walker counts its calls, the timer is fired by hand. */
function healthWith(overrides: Partial<HealthDeps> & { browserPid?: number; state?: GatewayStatus['state'] } = {}) {
  const walks: number[] = [];
  const timer: { everyMs?: number; tick?: () => void; stopped: boolean } = { stopped: false };
  let pid = overrides.browserPid;
  let now = new Date('2025-03-01T10:00:00Z');
  const health = createHealth({
    pingStore: async () => {},
    gateway: { status: () => ({ state: overrides.state ?? 'connected', since: now }), browserPid: () => pid },
    clock: () => now,
    sampleEveryMs: 15_000,
    treeRss: async (p) => {
      walks.push(p);
      return 300 * MB;
    },
    appRss: () => 120 * MB,
    every: (ms, fn) => {
      timer.everyMs = ms;
      timer.tick = fn;
      return () => void (timer.stopped = true);
    },
    ...overrides,
  });
  return {
    health,
    walks,
    timer,
    setPid: (p: number | undefined) => void (pid = p),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
}

describe('health', () => {
  it('when readiness is asked many times, then the /proc walker is not called for any of them', async () => {
    const h = healthWith({ browserPid: 4242 });
    await h.health.sampleMemory();
    const before = h.walks.length;
    for (let i = 0; i < 5; i++) await h.health.readiness();
    expect(h.walks).toHaveLength(before);
  });

  it('when the timer fires, then memory is sampled (every 15 s) and readiness reports the last sample', async () => {
    const h = healthWith({ browserPid: 4242 });
    expect(h.timer.everyMs).toBe(15_000);
    await h.health.sampleMemory(); // settles the sample taken at creation
    const walksBefore = h.walks.length;
    h.advance(15_000);
    h.timer.tick!();
    await h.health.sampleMemory();
    expect(h.walks.length).toBeGreaterThan(walksBefore);
    expect(h.walks.every((p) => p === 4242)).toBe(true);
    const report = await h.health.readiness();
    expect(report).toMatchObject({ appRssMb: 120, whatsapp: { state: 'connected', browserRssMb: 300 } });
    expect(report.memorySampledAt).toEqual(new Date('2025-03-01T10:00:15Z'));
  });

  it('when the timer fires while a sample is still being taken, then no second walk starts beside it', async () => {
    let release!: () => void;
    const calls: number[] = [];
    const h = healthWith({
      browserPid: 7,
      treeRss: (p) => {
        calls.push(p);
        return new Promise((resolve) => (release = () => resolve(MB)));
      },
    });
    expect(calls).toHaveLength(1); // the sample taken at creation, still running
    h.timer.tick!();
    h.timer.tick!();
    expect(calls).toHaveLength(1);
    release();
  });

  it('when the browser that was sampled is gone, then readiness reports no browser figure rather than its stale one', async () => {
    const h = healthWith({ browserPid: 4242 });
    await h.health.sampleMemory();
    expect((await h.health.readiness()).whatsapp.browserRssMb).toBe(300);
    h.setPid(undefined);
    expect((await h.health.readiness()).whatsapp.browserRssMb).toBeUndefined();
    h.setPid(5151); // a new browser, not sampled yet
    expect((await h.health.readiness()).whatsapp.browserRssMb).toBeUndefined();
  });

  it('when no browser runs, then the walker is never called and the app figure is still there', async () => {
    const h = healthWith();
    await h.health.sampleMemory();
    expect(h.walks).toEqual([]);
    expect((await h.health.readiness()).appRssMb).toBe(120);
  });

  it('when stopped, then the timer is cleared', () => {
    const h = healthWith();
    expect(h.timer.stopped).toBe(false);
    h.health.stop();
    expect(h.timer.stopped).toBe(true);
  });

  it('when the store fails, then the public view says only "down", the full report keeps the error', async () => {
    const h = healthWith({
      pingStore: async () => {
        throw new Error('connect ECONNREFUSED mongodb://admin:s3cret@db.internal:27017');
      },
      state: 'unreachable',
    });
    const report = await h.health.readiness();
    expect(report.store.error).toContain('ECONNREFUSED');
    expect(publicReadiness(report)).toEqual({ ready: false, store: 'down', whatsapp: 'unreachable' });
  });

  it('when the store answers, then the public view is ready, store ok and the WhatsApp state word — nothing else', async () => {
    const h = healthWith({ browserPid: 4242 });
    await h.health.sampleMemory();
    expect(publicReadiness(await h.health.readiness())).toEqual({ ready: true, store: 'ok', whatsapp: 'connected' });
  });

  it('when a details token is set, then only that exact token is accepted; without one, none is', () => {
    const token = 'a-health-token-0123456789';
    const withToken = healthWith({ detailsToken: token }).health;
    expect(withToken.allowsDetails(token)).toBe(true);
    expect(withToken.allowsDetails(`${token}x`)).toBe(false);
    expect(withToken.allowsDetails(token.slice(0, -1))).toBe(false);
    expect(withToken.allowsDetails('')).toBe(false);
    const without = healthWith().health;
    expect(without.allowsDetails(token)).toBe(false);
    expect(without.allowsDetails('')).toBe(false);
  });
});
