import type { Contact } from '../../domain/contact';
import { escapeMrkdwn } from '../mrkdwn';
import { slackDate } from './gateway-state';

const consentWording: Record<Contact['consent']['status'], string> = {
  unknown: ':grey_question: not asked',
  pending: ':hourglass_flowing_sand: opt-in requested',
  opted_in: ':white_check_mark: opted in',
  opted_out: ':no_entry: opted out',
};

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
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Reply in this thread to answer on WhatsApp. Start a reply with \`${escapeMrkdwn(notePrefix)}\` for an internal note that stays in Slack.` }] },
    ],
  };
}
