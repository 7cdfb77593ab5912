import type { types } from '@slack/bolt';

/** The Find a contact modal: its callback id, and where its one input's value and error go. */
export const FIND_CONTACT = { callbackId: 'home_find_contact_modal', blockId: 'contact', actionId: 'query' } as const;

/** Slack's limits: 3000 characters per section text, 100 blocks per view, 24 per modal title. */
const SECTION_MAX = 3000;
const BLOCKS_MAX = 100;

/** Asks for a phone number or the start of a name, like `/wa contact`. */
export function findContactModal(): types.ModalView {
  return {
    type: 'modal',
    callback_id: FIND_CONTACT.callbackId,
    title: { type: 'plain_text', text: 'Find a contact' },
    submit: { type: 'plain_text', text: 'Find' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: FIND_CONTACT.blockId,
        label: { type: 'plain_text', text: 'Phone number or name' },
        hint: { type: 'plain_text', text: 'e.g. +44 20 7946 0000, or the start of a name' },
        element: { type: 'plain_text_input', action_id: FIND_CONTACT.actionId, max_length: 100, focus_on_load: true },
      },
    ],
  };
}

/**
 * A read-only modal showing what a `/wa` command would answer. Long answers are split between
 * lines into several sections, since one section holds at most 3000 characters.
 */
export function textModal(title: string, mrkdwn: string): types.ModalView {
  const sections: string[] = [];
  for (const line of mrkdwn.split('\n').map((l) => (l.length > SECTION_MAX ? `${l.slice(0, SECTION_MAX - 1)}…` : l))) {
    const last = sections.length - 1;
    if (last < 0 && !line.trim()) continue; // a section's text cannot be empty
    if (last >= 0 && sections[last]!.length + 1 + line.length <= SECTION_MAX) sections[last] += `\n${line}`;
    else sections.push(line);
  }
  const shown = sections.length > BLOCKS_MAX ? [...sections.slice(0, BLOCKS_MAX - 1), '_…and more: the `/wa` command lists them all._'] : sections;
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: shown.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  };
}
