import { escapeMrkdwn } from '../mrkdwn';

/** Opens the template picker for the contact in `value` (listener in slack/listeners/actions/templates.ts). */
export const TEMPLATE_ACTIONS = { open: 'template_open' } as const;

/** The "Send a template" button, for the refusal and the card. */
export function sendTemplateButton(waId: string, text = 'Send a template'): object {
  return { type: 'button', action_id: TEMPLATE_ACTIONS.open, text: { type: 'plain_text', text }, value: waId };
}

/** The ephemeral refusal of free text outside the 24-hour window, offering a template instead. */
export function windowClosedNotice(waId: string, reason: string): { text: string; blocks: object[] } {
  const text = `:no_entry_sign: ${reason}.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:no_entry_sign: ${escapeMrkdwn(reason)}.` } },
      { type: 'actions', block_id: 'window_closed', elements: [sendTemplateButton(waId)] },
    ],
  };
}
