import type { ReceiverEvent } from '@slack/bolt';
import pino from 'pino';
import { createReplayGuard, ReplayedRequestError, signatureStamp } from '../../../src/slack/replay-guard';
import { createViewOnce, ViewAlreadySubmittedError } from '../../../src/slack/view-once';

const silent = pino({ level: 'silent' });
const clock = () => new Date('2026-11-25T09:00:00Z');

/** The seen-requests store in memory, recording what it was asked. */
function memorySeen() {
  const keys = new Map<string, Date>();
  return {
    keys,
    async firstSight(key: string, _seenAt: Date, expiresAt: Date) {
      if (keys.has(key)) return false;
      keys.set(key, expiresAt);
      return true;
    },
    async release(key: string) {
      keys.delete(key);
    },
  };
}

function receiverEvent(body: Record<string, unknown>, extra: Partial<ReceiverEvent> = {}) {
  const acks: unknown[] = [];
  const event: ReceiverEvent = { body, ack: async (response?: unknown) => void acks.push(response ?? 'empty'), ...extra };
  return { event, acks };
}
const stamped = (signature: string, timestampSec = 1_800_000_000) => ({ customProperties: signatureStamp({ headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestampSec) } } as never) });

describe('replay guard', () => {
  it('when a request carries no signature (Socket Mode), then it passes as it is and the store is not asked', async () => {
    const seen = memorySeen();
    const guard = createReplayGuard({ seen, clock, logger: silent });
    const { event } = receiverEvent({ type: 'event_callback' });
    expect(await guard.admit(event)).toBe(event);
    expect(await guard.admit(event)).toBe(event);
    expect(seen.keys.size).toBe(0);
  });

  it('when a signature comes twice, then the second is refused; the stamp never reaches Bolt and is kept ten minutes past its timestamp', async () => {
    const seen = memorySeen();
    const guard = createReplayGuard({ seen, clock, logger: silent });
    const { event } = receiverEvent({ command: '/wa', team_id: 'T0TEAM' }, stamped('v0=abc'));
    const admitted = await guard.admit(event);
    expect(admitted.customProperties).toEqual({});
    await expect(guard.admit(event)).rejects.toBeInstanceOf(ReplayedRequestError);
    expect(seen.keys.get('v0=abc')).toEqual(new Date((1_800_000_000 + 600) * 1000));
  });

  it('when an event is retried by Slack with the same signature, then retries 1 to 3 pass once each; other numbers and other kinds get no way round', async () => {
    const seen = memorySeen();
    const guard = createReplayGuard({ seen, clock, logger: silent });
    const event = (body: Record<string, unknown>, retryNum?: number) => receiverEvent(body, { ...stamped('v0=same'), ...(retryNum !== undefined ? { retryNum } : {}) }).event;
    const slackEvent = { type: 'event_callback', event: { type: 'message' } };
    for (const n of [undefined, 1, 2, 3]) await guard.admit(event(slackEvent, n));
    for (const n of [1, 4, 0, -1]) await expect(guard.admit(event(slackEvent, n))).rejects.toBeInstanceOf(ReplayedRequestError);
    await expect(guard.admit(event({ command: '/wa' }, 1))).rejects.toBeInstanceOf(ReplayedRequestError);
  });

  it('when the store fails or does not answer in time, then the request is taken', async () => {
    const failing = createReplayGuard({ seen: { firstSight: () => Promise.reject(new Error('down')) }, clock, logger: silent });
    const hanging = createReplayGuard({ seen: { firstSight: () => new Promise<boolean>(() => {}) }, clock, logger: silent, checkMs: 20 });
    const { event } = receiverEvent({ command: '/wa' }, stamped('v0=x'));
    await expect(failing.admit(event)).resolves.toMatchObject({ body: { command: '/wa' } });
    await expect(hanging.admit(event)).resolves.toMatchObject({ body: { command: '/wa' } });
  });
});

describe('view once', () => {
  const submission = (viewId = 'V1') => ({ type: 'view_submission', team: { id: 'T0TEAM' }, view: { id: viewId, callback_id: 'conv_reply_modal' } });

  it('when a view is answered with errors, an update or a push, then it can be submitted again; the first answer that closes it claims it', async () => {
    const seen = memorySeen();
    const views = createViewOnce({ seen, clock, logger: silent });
    for (const response of [{ response_action: 'errors', errors: { text: 'Write the reply.' } }, { response_action: 'update', view: {} }, { response_action: 'push', view: {} }]) {
      const { event, acks } = receiverEvent(submission());
      await views.guard(event).ack(response);
      expect(acks).toEqual([response]);
    }
    expect(seen.keys.size).toBe(0);
    await views.guard(receiverEvent(submission()).event).ack();
    expect([...seen.keys.keys()]).toEqual(['view:T0TEAM:V1']);
  });

  it('when the closing answer cannot reach Slack (Bolt already timed the request out), then the view is released: the person submits again and it takes effect', async () => {
    const seen = memorySeen();
    const views = createViewOnce({ seen, clock, logger: silent });
    const body = { type: 'view_submission', team: { id: 'T0TEAM' }, view: { id: 'V0LATE' } };
    const late = views.guard({ body, ack: async () => Promise.reject(new Error('the request was already answered')) });
    await expect(late.ack()).rejects.toThrow('already answered');
    expect(seen.keys.size).toBe(0);
    const { event, acks } = receiverEvent(body);
    await expect(views.guard(event).ack()).resolves.toBeUndefined();
    expect(acks).toEqual(['empty']);
  });

  it('when a view closes a second time, then Slack still gets its answer and the listener is stopped at its ack; another view is not', async () => {
    const views = createViewOnce({ seen: memorySeen(), clock, logger: silent });
    await views.guard(receiverEvent(submission()).event).ack();
    const again = receiverEvent(submission());
    await expect(views.guard(again.event).ack({ response_action: 'clear' })).rejects.toBeInstanceOf(ViewAlreadySubmittedError);
    expect(again.acks).toEqual([{ response_action: 'clear' }]);
    await expect(views.guard(receiverEvent(submission('V2')).event).ack()).resolves.toBeUndefined();
  });

  it('when the request is not a view submission, then it passes untouched', () => {
    const views = createViewOnce({ seen: memorySeen(), clock, logger: silent });
    const { event } = receiverEvent({ type: 'block_actions', view: { id: 'V1' } });
    expect(views.guard(event)).toBe(event);
  });
});
