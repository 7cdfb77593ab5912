import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logger';
import type { WwebjsClient } from '../../../src/whatsapp/wwebjs-client';
import { WwebjsGateway, type Timers } from '../../../src/whatsapp/wwebjs-gateway';
import { FakeClient } from '../../support/fake-wwebjs-client';

type Line = { level: number; msg: string; reason?: string; err?: { stack?: string } };

/** A gateway whose log lines are captured (parsed JSON), at `level`; its timers are fired by hand. */
function setup(level: 'info' | 'debug', clients: FakeClient[]) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn) => (pending.set(next, fn), next++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const made: FakeClient[] = [];
  const gw = new WwebjsGateway({
    createClient: () => {
      const c = clients.shift() ?? new FakeClient();
      made.push(c);
      return c as unknown as WwebjsClient;
    },
    toMedia: (m) => ({ media: m.filename }),
    clock: () => new Date('2026-11-25T09:00:00Z'),
    logger: createLogger({ level, pretty: false }, sink),
    allowGroups: false,
    readyTimeoutMs: 60_000,
    startTimeoutMs: 90_000,
    statePollMs: 30_000,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    random: () => 1,
    timers,
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { gw, made, lines, settle, pending };
}

const STACK_LINE = /\n\s+at /;
const crash = () => {
  const err = new Error('Failed to launch the browser process');
  err.stack = `${err.message}\n    at launch (puppeteer/launcher.js:1:1)\n    at start (whatsapp-web.js/Client.js:2:2)`;
  return err;
};

describe('whatsapp-web.js gateway logs', () => {
  it('when the browser cannot start, then each reconnect attempt logs one line with the reason and no stack', async () => {
    const s = setup('info', [new FakeClient(crash()), new FakeClient(crash())]);
    await s.gw.start();
    await s.settle();
    for (const fn of [...s.pending.values()]) fn();
    await s.settle();
    const text = JSON.stringify(s.lines);
    expect(s.lines.map((l) => l.msg)).toEqual([
      'reconnecting to WhatsApp later: Failed to launch the browser process',
      'reconnecting to WhatsApp later: Failed to launch the browser process',
    ]);
    expect(s.lines[0]).toMatchObject({ reason: 'Failed to launch the browser process', attempt: 1, delayMs: 1000, state: 'unreachable' });
    expect(text).not.toMatch(/launcher\.js|\\n\s+at /);
  });

  it('when the browser cannot start at debug level, then the stack is logged too', async () => {
    const s = setup('debug', [new FakeClient(crash())]);
    await s.gw.start();
    await s.settle();
    const withStack = s.lines.filter((l) => l.err?.stack !== undefined && STACK_LINE.test(l.err.stack));
    expect(withStack).toHaveLength(1);
    expect(withStack[0]!.level).toBe(20);
    expect(s.lines.filter((l) => l.level > 20).map((l) => l.msg)).toEqual(['reconnecting to WhatsApp later: Failed to launch the browser process']);
  });

  it('when the page stops answering or WhatsApp disconnects, then one line each, with the reason', async () => {
    const s = setup('info', []);
    await s.gw.start();
    const first = s.made[0]!;
    first.emit('ready');
    first.states.push(crash());
    for (const fn of [...s.pending.values()]) fn(); // the state poll
    await s.settle();
    await s.settle();
    const second = s.made.length > 1 ? s.made[1] : undefined;
    expect(second).toBeUndefined(); // not rebuilt yet: the reconnect waits its delay
    for (const fn of [...s.pending.values()]) fn(); // the reconnect
    await s.settle();
    s.made[1]!.emit('ready');
    s.made[1]!.emit('disconnected', 'NAVIGATION');
    await s.settle();
    expect(s.lines.map((l) => l.msg)).toEqual(['reconnecting to WhatsApp later: Failed to launch the browser process', 'reconnecting to WhatsApp later: NAVIGATION']);
    expect(JSON.stringify(s.lines)).not.toMatch(/launcher\.js/);
  });
});
