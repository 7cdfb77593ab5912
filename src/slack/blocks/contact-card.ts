import type { Contact } from '../../domain/contact';
import { escapeMrkdwn } from '../mrkdwn';
import { slackDate } from './gateway-state';

const consentWording: Record<Contact['consent']['status'], string> = {
  unknown: ':grey_question: not asked',
  pending: ':hourglass_flowing_sand: opt-in requested',
  opted_in: ':white_check_mark: opted in',
  opted_out: ':no_entry: opted out',
};

/** The contact card's buttons (their listeners are in slack/listeners/actions/contact-card.ts). */
export const CARD_ACTIONS = { labels: 'card_labels', quickReply: 'card_quick_reply', optOut: 'card_opt_out' } as const;

/** How a contact is named in Slack: their name, else their number, else their WhatsApp id. */
export function contactDisplayName(contact: Pick<Contact, 'name' | 'e164' | 'waId'>): string {
  return contact.name ?? contact.e164 ?? contact.waId.replace(/@.*$/, '');
}

/** The thread root: who this conversation is with, at a glance. Reply in the thread to answer. */
export function contactCard(contact: Contact, notePrefix: string): { text: string; blocks: object[] } {
  const name = escapeMrkdwn(contactDisplayName(contact));
  const phone = contact.e164 ?? `${escapeMrkdwn(contact.waId)} (number hidden by WhatsApp)`;
  const labels = contact.labels.length > 0 ? contact.labels.map((l) => `\`${escapeMrkdwn(l)}\``).join(' ') : '_none_';
  const last = contact.lastInboundAt ? slackDate(contact.lastInboundAt) : '_never_';
  return {
    text: `WhatsApp conversation with ${name} (${phone})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:speech_balloon: *${name}* · ${phone}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Labels*\n${labels}` },
          { type: 'mrkdwn', text: `*Consent*\n${consentWording[contact.consent.status]}` },
          { type: 'mrkdwn', text: `*Last message*\n${last}` },
        ],
      },
      {
        type: 'actions',
        block_id: 'contact_card',
        elements: [
          { type: 'button', action_id: CARD_ACTIONS.labels, text: { type: 'plain_text', text: 'Labels' }, value: contact.waId },
          { type: 'button', action_id: CARD_ACTIONS.quickReply, text: { type: 'plain_text', text: 'Quick reply' }, value: contact.waId },
          ...(contact.consent.status === 'opted_out'
            ? []
            : [
                {
                  type: 'button',
                  action_id: CARD_ACTIONS.optOut,
                  style: 'danger',
                  text: { type: 'plain_text', text: 'Opt out' },
                  value: contact.waId,
                  confirm: {
                    title: { type: 'plain_text', text: 'Opt this contact out?' },
                    text: { type: 'mrkdwn', text: `Nothing more will be sent to ${name}, except one message confirming it. They can opt in again by replying START.` },
                    confirm: { type: 'plain_text', text: 'Opt out' },
                    deny: { type: 'plain_text', text: 'Cancel' },
                  },
                },
              ]),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Reply in this thread to answer on WhatsApp. Start a reply with \`${escapeMrkdwn(notePrefix)}\` for an internal note that stays in Slack.` }] },
    ],
  };
}
