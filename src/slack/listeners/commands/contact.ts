import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import type { ConsentEvent } from '../../../domain/consent-event';
import type { Contact } from '../../../domain/contact';
import { contactDisplayName } from '../../blocks/contact-card';
import { slackDate } from '../../blocks/gateway-state';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone, contactByPhoneOrName } from './contact-lookup';
import type { Subcommand } from './subcommand';

/** One ledger entry as a line: when, what, how, who, and the exact words. */
export function ledgerLine(e: ConsentEvent): string {
  const who = e.actor === 'contact' || e.actor === 'system' ? e.actor : `<@${e.actor}>`;
  return `• ${slackDate(e.at)} *${e.type}* via \`${escapeMrkdwn(e.source)}\` by ${who} — “${escapeMrkdwn(e.evidence.slice(0, 200))}”`;
}

/** `/wa contact <phone|name>`: who they are, their labels and consent, and where the conversation is. */
export function contactSubcommand(deps: Pick<AppDeps, 'repos' | 'config'>): Subcommand {
  return {
    name: 'contact',
    usage: '/wa contact <phone|name>',
    summary: "a contact's labels, consent and conversation",
    async run({ rest, respond, client }) {
      const contact = await contactByPhoneOrName(deps.repos.contacts, rest, deps.config.phoneDefaultCountry);
      await respond({ response_type: 'ephemeral', text: await contactDetailsText(deps.repos, client, contact) });
    },
  };
}

/** What `/wa contact` (and App Home's Find a contact) shows about one contact, as mrkdwn. */
export async function contactDetailsText(repos: Pick<AppDeps['repos'], 'consentLedger'>, client: webApi.WebClient, contact: Contact): Promise<string> {
  const ledger = await repos.consentLedger.listForContact(contact.waId, 3);
  const thread = contact.slack
    ? ((await client.chat.getPermalink({ channel: contact.slack.channel, message_ts: contact.slack.threadTs }).catch(() => undefined))?.permalink ?? undefined)
    : undefined;
  const consent = contact.consent;
  return [
    `*${contactDisplayName(contact)}* · ${contact.e164 ?? escapeMrkdwn(contact.waId)}`,
    `*Labels:* ${contact.labels.length ? contact.labels.map((l) => `\`${escapeMrkdwn(l)}\``).join(' ') : '_none_'}`,
    `*Consent:* ${consent.status}${consent.since ? ` since ${slackDate(consent.since)}` : ''}${consent.source ? ` (${escapeMrkdwn(consent.source)})` : ''}`,
    `*Activity:* ${contact.activity.status} · last message ${contact.lastInboundAt ? slackDate(contact.lastInboundAt) : 'never'}`,
    thread ? `*Conversation:* <${thread}|open the thread>` : '*Conversation:* no thread yet',
    ...(ledger.length ? ['*Latest consent entries:*', ...ledger.map(ledgerLine)] : []),
  ].join('\n');
}

/** `/wa consent <phone>`: the contact's whole consent ledger, newest first. */
export function consentSubcommand(deps: Pick<AppDeps, 'repos' | 'config'>): Subcommand {
  return {
    name: 'consent',
    usage: '/wa consent <phone>',
    summary: "a contact's full consent ledger",
    async run({ rest, respond }) {
      const contact = await contactByPhone(deps.repos.contacts, rest, deps.config.phoneDefaultCountry);
      const ledger = await deps.repos.consentLedger.listForContact(contact.waId, 100);
      const head = `*Consent ledger for ${contactDisplayName(contact)}* — now ${contact.consent.status}`;
      await respond({ response_type: 'ephemeral', text: [head, ...(ledger.length ? ledger.map(ledgerLine) : ['_No entries: consent was never asked or given._'])].join('\n') });
    },
  };
}
