import { SendThrottle, withSendThrottle } from '../../../src/whatsapp/send-throttle';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';

/**
 * The throttle with a frozen clock and a sleep that only records how long it was asked to wait:
 * every send arrives at the same instant, so the waits are the schedule the throttle decided.
 */
function frozenTime(jitter = 0) {
  const now = new Date('2026-11-25T09:00:00Z');
  const waits: number[] = [];
  const throttle = new SendThrottle({
    perChatIntervalMs: 2000,
    globalPerMinute: 30,
    jitterMs: 1000,
    clock: () => now,
    sleep: async (ms) => void waits.push(ms),
    random: () => jitter,
  });
  return { throttle, waits };
}

describe('send throttle', () => {
  it('when one chat gets three messages at once, then they are scheduled the per-chat interval apart', async () => {
    const t = frozenTime();
    await Promise.all([1, 2, 3].map(() => t.throttle.run('a@c.us', async () => undefined)));
    expect(t.waits).toEqual([2000, 4000]);
  });

  it('when five chats send at once, then the global rate (30 a minute) spaces them 2 s apart', async () => {
    const t = frozenTime();
    await Promise.all(Array.from({ length: 5 }, (_, i) => t.throttle.run(`${i}@c.us`, async () => undefined)));
    expect(t.waits).toEqual([2000, 4000, 6000, 8000]);
  });

  it('when jitter is drawn, then it is added to the wait', async () => {
    const t = frozenTime(0.5);
    await t.throttle.run('a@c.us', async () => undefined);
    expect(t.waits).toEqual([500]);
  });

  it('when the gateway is wrapped, then sends, reactions and edits are all paced and still reach the gateway', async () => {
    const t = frozenTime();
    const inner = new FakeWhatsAppGateway();
    const gw = withSendThrottle(inner, t.throttle);
    await gw.sendText('a@c.us', 'one');
    await gw.sendText('a@c.us', 'two');
    await gw.react('true_a@c.us_ABC', '👍');
    await gw.edit('true_a@c.us_ABD', 'fixed');
    expect(inner.sent.map((s) => s.kind)).toEqual(['text', 'text', 'react', 'edit']);
    expect(t.waits).toEqual([2000, 4000, 6000]);
  });
});
