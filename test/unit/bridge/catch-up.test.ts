import { startCatchUp } from '../../../src/bridge/inbound/catch-up';
import { silentLogger } from '../../../src/logger';
import type { GatewayEvent, GatewayStatus, InboundMessage } from '../../../src/whatsapp/gateway';

const NOW = new Date('2026-11-26T10:00:00Z');
const missed: InboundMessage = { id: 'false_447911123456@c.us_M1', from: '447911123456@c.us', content: { kind: 'text', text: 'missed' }, at: new Date('2026-11-26T09:30:00Z') };

/** The catch-up over stubs: a gateway whose reads fail as told, a store that knows nothing yet. */
function setup(failures: number) {
  const listeners = new Set<(e: GatewayEvent) => void>();
  let status: GatewayStatus = { state: 'connected', since: NOW };
  let reads = 0;
  const accepted: InboundMessage[] = [];
  const gateway = {
    status: () => status,
    on: (l: (e: GatewayEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
    messagesSince: async () => {
      reads++;
      if (reads <= failures) throw new Error('page not answering');
      return [missed];
    },
  };
  const catchUp = startCatchUp({
    gateway: gateway as never,
    contacts: { latestInboundAt: async () => new Date('2026-11-26T09:00:00Z'), erasedAt: async () => new Map() },
    messages: { knownWaIds: async () => new Set() },
    accept: (m) => void accepted.push(m),
    clock: () => NOW,
    logger: silentLogger(),
    retryMs: 60_000,
  });
  const connect = (state: GatewayStatus['state']) => {
    status = { state, since: NOW };
    for (const l of listeners) l({ type: 'state', status });
  };
  return { catchUp, accepted, reads: () => reads, connect };
}

describe('catch-up after downtime', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('when reading fails, then it is tried again a minute later while still connected, and hands over what it then finds', async () => {
    const s = setup(1);
    expect(await s.catchUp.run()).toBe(0); // joins the failing run started on connect
    expect(s.accepted).toEqual([]);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(s.reads()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(s.reads()).toBe(2);
    expect(s.accepted).toEqual([missed]);
    s.catchUp.stop();
  });

  it('when WhatsApp is no longer connected at retry time, then no read is made; the next connect catches up', async () => {
    const s = setup(1);
    await s.catchUp.run();
    s.connect('disconnected');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(s.reads()).toBe(1);
    s.connect('connected');
    await s.catchUp.run();
    expect(s.accepted).toEqual([missed]);
    s.catchUp.stop();
  });

  it('when stopped, then a pending retry never runs', async () => {
    const s = setup(1);
    await s.catchUp.run();
    s.catchUp.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(s.reads()).toBe(1);
  });
});
