import { silentLogger } from '../../../src/logger';
import { OwnSends } from '../../../src/whatsapp/own-sends';
import type { Timers } from '../../../src/whatsapp/wwebjs-gateway';

/** Timers fired by hand. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = { setTimeout: (fn) => (pending.set(next, fn), next++), clearTimeout: (h) => void pending.delete(h as number) };
  return { timers, fireAll: () => [...pending.values()].forEach((fn) => fn()), count: () => pending.size };
}

/** A send the test finishes by hand, as WhatsApp Web would answer it. */
function manualSend() {
  let finish!: (id: string | undefined) => void;
  let fail!: (err: Error) => void;
  const answer = new Promise<{ id: { _serialized: string } } | undefined>((resolve, reject) => {
    finish = (id) => resolve(id ? { id: { _serialized: id } } : undefined);
    fail = reject;
  });
  return { send: () => answer, finish, fail };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('telling the app\'s own sends from the phone\'s', () => {
  it('when a message is created while a send is running, then it is judged once the send returns: its id is ours, any other is not', async () => {
    const t = manualTimers();
    const own = new OwnSends(t.timers, silentLogger());
    const s = manualSend();
    const sending = own.track(s.send);
    const mine = own.isOwn('OUT1');
    const phone = own.isOwn('PHONE1');
    s.finish('OUT1');
    await sending;
    expect(await mine).toBe(true);
    expect(await phone).toBe(false);
    expect(t.count()).toBe(0); // no wait left behind
  });

  it('when nothing is being sent, then an unknown message is the phone\'s at once, and a remembered one ours', async () => {
    const own = new OwnSends(manualTimers().timers, silentLogger());
    await own.track(async () => ({ id: { _serialized: 'OUT1' } }));
    expect(await own.isOwn('OUT1')).toBe(true);
    expect(await own.isOwn('PHONE1')).toBe(false);
  });

  it('when a send fails, or returns no message, while a message is judged, then it counts as ours (unsure: never shown twice)', async () => {
    const own = new OwnSends(manualTimers().timers, silentLogger());
    const failing = manualSend();
    const sending = own.track(failing.send).catch(() => undefined);
    const judged = own.isOwn('MAYBE1');
    failing.fail(new Error('Protocol error: Target closed'));
    await sending;
    expect(await judged).toBe(true);

    const empty = manualSend();
    const sendingEmpty = own.track(empty.send);
    const judgedEmpty = own.isOwn('MAYBE2');
    empty.finish(undefined);
    await sendingEmpty;
    expect(await judgedEmpty).toBe(true);
  });

  it('when a send runs past the limit, then a message created meanwhile counts as ours', async () => {
    const t = manualTimers();
    const own = new OwnSends(t.timers, silentLogger(), 60_000);
    void own.track(() => new Promise<never>(() => {}));
    const judged = own.isOwn('MAYBE3');
    await turn();
    t.fireAll();
    expect(await judged).toBe(true);
  });
});
