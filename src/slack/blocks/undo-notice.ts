import { escapeMrkdwn } from '../mrkdwn';

/** The Cancel button of the undo window (listener in slack/listeners/actions/conversation.ts). */
export const UNDO_CANCEL = 'reply_cancel';

/** "Sending in 5 s…" with a Cancel button, shown only to the agent who wrote the reply. */
export function undoNotice(reply: { channel: string; ts: string }, undoMs: number, deletable = true): { text: string; blocks: object[] } {
  // A reply from a modal is the app's post, which the agent cannot delete: Cancel is the way.
  const text = `:outbox_tray: Sending to WhatsApp in ${Math.round(undoMs / 1000)} s… Cancel it here${deletable ? ', or delete your message' : ''}.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text },
        // `post`: the reply is the app's post, which Cancel then marks as cancelled.
        accessory: { type: 'button', action_id: UNDO_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, style: 'danger', value: JSON.stringify(deletable ? reply : { ...reply, post: true }) },
      },
    ],
  };
}

/** The app's post of a modal reply once its author cancelled it: it says so, the words kept for reference. */
export function cancelledPost(agent: string, body: string): { text: string } {
  const quoted = escapeMrkdwn(body)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return { text: `:leftwards_arrow_with_hook: <@${agent}>’s reply was cancelled, not sent to WhatsApp:\n${quoted}` };
}

/**
 * What Cancel tells its presser. `post`: the reply is the app's post (from a modal), which the agent
 * cannot delete — so they are never asked to; their own message they may delete if they like.
 */
export function cancelOutcome(outcome: { withdrawn: number; inFlight: number }, post: boolean): string {
  if (outcome.withdrawn > 0 && outcome.inFlight === 0) {
    return post
      ? ':leftwards_arrow_with_hook: Cancelled: it was not sent to WhatsApp. Its post in the thread now says so.'
      : ':leftwards_arrow_with_hook: Cancelled: it was not sent to WhatsApp. (Your message stays in the thread; delete it if you like.)';
  }
  if (outcome.inFlight > 0) {
    return post
      ? ':hourglass: It was being handed to WhatsApp as you pressed: it may have reached the contact (its post shows :heavy_check_mark: if it did).'
      : ':hourglass: It was being handed to WhatsApp as you pressed: if it shows as sent, delete your message to remove it there too.';
  }
  return post ? 'Too late to cancel: it has been sent to WhatsApp.' : 'Too late to cancel: it has been sent. Delete your message to remove it on WhatsApp too.';
}
