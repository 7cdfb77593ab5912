import { startCatchUp } from '../../../src/bridge/inbound/catch-up';
import { silentLogger } from '../../../src/logger';
import type { GatewayEvent, GatewayStatus, InboundMessage, MissedMessages } from '../../../src/whatsapp/gateway';

const NOW = new Date('2026-11-26T10:00:00Z');
const missed: InboundMessage = { id: 'false_447911123456@c.us_M1', from: '447911123456@c.us', content: { kind: 'text', text: 'missed' }, at: new Date('2026-11-26T09:30:00Z') };

/** The catch-up over stubs: a gateway whose reads answer as `read` says, a store that knows nothing yet. */
function setup(read: (n: number) => Promise<MissedMessages>) {
  const listeners = new Set<(e: GatewayEvent) => void>();
  let status: GatewayStatus = { state: 'connected', since: NOW };
  let reads = 0;
  let holds = 0;
  const accepted: InboundMessage[] = [];
  const gateway = {
    status: () => status,
    on: (l: (e: GatewayEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
    messagesSince: () => read(++reads),
  };
  const catchUp = startCatchUp({
    gateway: gateway as never,
    contacts: { latestInboundAt: async () => new Date('2026-11-26T09:00:00Z'), erasedAt: async () => new Map() },
    messages: { knownWaIds: async () => new Set() },
    accept: (m) => void accepted.push(m),
    hold: () => (holds++, () => void holds--),
    recorded: async () => {},
    clock: () => NOW,
    logger: silentLogger(),
    retryMs: 60_000,
    readTimeoutMs: 120_000,
  });
  const connect = (state: GatewayStatus['state']) => {
    status = { state, since: NOW };
    for (const l of listeners) l({ type: 'state', status });
  };
  return { catchUp, accepted, reads: () => reads, holds: () => holds, connect };
}

const found = async (): Promise<MissedMessages> => ({ messages: [missed], truncatedChats: 0 });
const failOnce = (n: number) => (n === 1 ? Promise.reject(new Error('page not answering')) : found());

describe('catch-up after downtime', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('when reading fails, then it is tried again a minute later while still connected, and hands over what it then finds', async () => {
    const s = setup(failOnce);
    await jest.advanceTimersByTimeAsync(0); // the run started on connect fails
    expect(s.accepted).toEqual([]);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(s.reads()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(s.reads()).toBe(2);
    expect(s.accepted).toEqual([missed]);
    expect(s.holds()).toBe(0);
    s.catchUp.stop();
  });

  it('when WhatsApp is no longer connected at retry time, then no read is made; the next connect catches up', async () => {
    const s = setup(failOnce);
    await jest.advanceTimersByTimeAsync(0);
    s.connect('disconnected');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(s.reads()).toBe(1);
    s.connect('connected');
    await jest.advanceTimersByTimeAsync(0);
    expect(s.accepted).toEqual([missed]);
    s.catchUp.stop();
  });

  it('when stopped, then a pending retry never runs', async () => {
    const s = setup(failOnce);
    await jest.advanceTimersByTimeAsync(0);
    s.catchUp.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(s.reads()).toBe(1);
  });

  it('when WhatsApp reconnects during a catch-up, then another one follows it (the first may have read before the gap)', async () => {
    let finish!: () => void;
    const s = setup((n) => (n === 1 ? new Promise<void>((resolve) => (finish = resolve)).then(found) : found()));
    await jest.advanceTimersByTimeAsync(0);
    expect(s.reads()).toBe(1);
    s.connect('disconnected');
    s.connect('connected');
    expect(s.reads()).toBe(1); // not two reads at once
    finish();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.reads()).toBe(2);
    s.catchUp.stop();
  });

  it('when reading WhatsApp hangs, then live messages are let go at the time limit, and the next try does not hold them', async () => {
    let answer!: () => void;
    const s = setup((n) => (n === 1 ? new Promise<never>(() => {}) : new Promise<void>((resolve) => (answer = resolve)).then(found)));
    await jest.advanceTimersByTimeAsync(0);
    expect(s.holds()).toBe(1); // live messages wait while WhatsApp is read
    await jest.advanceTimersByTimeAsync(120_000);
    expect(s.holds()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(s.reads()).toBe(2);
    expect(s.holds()).toBe(0); // a slow page must not hold live messages every time
    answer();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.accepted).toEqual([missed]);
    s.catchUp.stop();
  });
});
