import { LaneLimiter } from '../../../src/bridge/dispatch/lane-limiter';

/** Virtual time: sleeping moves the clock, so rates are checked exactly and instantly. */
function limiter(perSecond: number, burst: number) {
  let t = 0;
  const l = new LaneLimiter({
    perSecond,
    burst,
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  });
  return { l, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('per-channel limiter', () => {
  it('when a quiet channel posts, then a burst goes at once and the rest follow at the rate', async () => {
    const { l, now } = limiter(1, 3);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await l.acquire('C1');
      times.push(now());
    }
    expect(times).toEqual([0, 0, 0, 1000, 2000, 3000]);
  });

  it('when two conversations wait on one channel, then they are served in the order they asked', async () => {
    const { l } = limiter(1, 1);
    const order: string[] = [];
    const ask = (who: string) => l.acquire('C1').then(() => order.push(who));
    await Promise.all([ask('chatty-1'), ask('quiet-1'), ask('chatty-2'), ask('quiet-2')]);
    expect(order).toEqual(['chatty-1', 'quiet-1', 'chatty-2', 'quiet-2']);
  });

  it('when one channel is busy, then another channel is not slowed', async () => {
    const { l, now } = limiter(1, 1);
    await l.acquire('C1');
    await l.acquire('C2');
    expect(now()).toBe(0);
  });

  it('when Slack asks to retry after 5 s, then nobody posts to that channel before then', async () => {
    const { l, now } = limiter(1, 4);
    l.pause('C1', 5000);
    await l.acquire('C1');
    expect(now()).toBe(5000);
  });

  it('when a post at the limit is answered late, then the next token counts from the answer', async () => {
    const { l, now, advance } = limiter(1, 1);
    await l.acquire('C1');
    advance(300); // the post took 300 ms on the wire
    l.completed('C1');
    await l.acquire('C1');
    expect(now()).toBe(1300);
  });
});
