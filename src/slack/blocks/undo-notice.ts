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
        accessory: { type: 'button', action_id: UNDO_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, style: 'danger', value: JSON.stringify(reply) },
      },
    ],
  };
}
