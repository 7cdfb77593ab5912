import type { Contact } from '../../domain/contact';
import { replyWindow } from '../../bridge/outbound/reply-window';
import type { Conversation } from '../../domain/conversation';
import type { ChannelMode } from '../../workflow/channel-mode';
import { clipText, escapeMrkdwn, escapeMrkdwnWithin } from '../mrkdwn';
import { slackDate } from './gateway-state';
import { sendTemplateButton } from './window-notice';

const consentWording: Record<Contact['consent']['status'], string> = {
  unknown: ':grey_question: not asked',
  pending: ':hourglass_flowing_sand: opt-in requested',
  opted_in: ':white_check_mark: opted in',
  opted_out: ':no_entry: opted out',
};

/** The contact card's buttons (their listeners are in slack/listeners/actions/contact-card.ts). */
export const CARD_ACTIONS = { labels: 'card_labels', quickReply: 'card_quick_reply', optOut: 'card_opt_out', forget: 'card_forget' } as const;
/** The conversation's controls on the card (listeners in slack/listeners/actions/conversation.ts). */
export const CONVERSATION_ACTIONS = {
  claim: 'conv_claim',
  assign: 'conv_assign',
  resolve: 'conv_resolve',
  reopen: 'conv_reopen',
  snooze: 'conv_snooze',
  reply: 'conv_reply',
} as const;
export const SNOOZE_CHOICES = { hour: '1h', tomorrow: 'tomorrow', custom: 'custom' } as const;

const ago = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^{ago}|${at.toISOString()}>`;

/** "🟢 Open · waiting 5 minutes ago" — the conversation's state as the card shows it. */
export function conversationLine(conversation: Conversation | undefined): string {
  if (!conversation) return ':large_green_circle: Open';
  switch (conversation.status) {
    case 'open':
      return `:large_green_circle: Open${conversation.waitingSince ? ` · waiting since ${ago(conversation.waitingSince)}` : ''}`;
    case 'pending':
      return ':hourglass: Pending · waiting on the customer';
    case 'snoozed':
      return `:zzz: Snoozed until ${conversation.snoozedUntil ? slackDate(conversation.snoozedUntil) : '_unknown_'}`;
    case 'resolved':
      return `:white_check_mark: Resolved${conversation.resolvedAt ? ` ${ago(conversation.resolvedAt)}` : ''}`;
  }
}

function conversationControls(contact: Contact): object {
  const c = contact.conversation;
  const closed = c?.status === 'resolved' || c?.status === 'snoozed';
  const option = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
  return {
    type: 'actions',
    block_id: 'conversation',
    elements: [
      ...(c?.assignee ? [] : [{ type: 'button', action_id: CONVERSATION_ACTIONS.claim, style: 'primary', text: { type: 'plain_text', text: 'Claim' }, value: contact.waId }]),
      {
        type: 'users_select',
        action_id: CONVERSATION_ACTIONS.assign,
        placeholder: { type: 'plain_text', text: 'Assign to…' },
        ...(c?.assignee ? { initial_user: c.assignee } : {}),
      },
      closed
        ? { type: 'button', action_id: CONVERSATION_ACTIONS.reopen, text: { type: 'plain_text', text: 'Reopen' }, value: contact.waId }
        : { type: 'button', action_id: CONVERSATION_ACTIONS.resolve, text: { type: 'plain_text', text: 'Resolve' }, value: contact.waId },
      {
        type: 'static_select',
        action_id: CONVERSATION_ACTIONS.snooze,
        placeholder: { type: 'plain_text', text: 'Snooze' },
        options: [option('1 hour', SNOOZE_CHOICES.hour), option('Tomorrow 9:00', SNOOZE_CHOICES.tomorrow), option('Until…', SNOOZE_CHOICES.custom)],
      },
      { type: 'button', action_id: CONVERSATION_ACTIONS.reply, text: { type: 'plain_text', text: 'Reply' }, value: contact.waId },
    ],
  };
}

/** A name in mrkdwn is at most this long: with the confirm dialog's words it stays within Slack's 300. */
const NAME_MRKDWN_MAX = 120;

/**
 * How a contact is named in Slack mrkdwn: their name, else their number, else their WhatsApp id —
 * escaped, since the name is whatever they typed on WhatsApp (`<!channel>` included), and clipped.
 * The one way a contact's name enters mrkdwn; plain_text, usernames and WhatsApp use {@link contactPlainName}.
 */
export function contactDisplayName(contact: Pick<Contact, 'name' | 'e164' | 'waId'>): string {
  return escapeMrkdwnWithin(contactPlainName(contact), NAME_MRKDWN_MAX);
}

/** The same name as typed (cut to `max` when given), for where Slack shows text verbatim or it goes to WhatsApp — never mrkdwn. */
export function contactPlainName(contact: Pick<Contact, 'name' | 'e164' | 'waId'>, max = Infinity): string {
  return clipText(contact.name ?? contact.e164 ?? contact.waId.replace(/@.*$/, ''), max);
}

/** Agents must not mistake a played customer for a real one, nor expect their replies to reach WhatsApp. */
export const SIMULATED_BANNER = {
  type: 'context',
  elements: [{ type: 'mrkdwn', text: ':test_tube: *Simulated contact* — messages go to the simulator, not WhatsApp.' }],
};

/** Where the gateway enforces WhatsApp's 24-hour window (the Cloud API): the moment and the team's time zone to show it in. */
export interface CardWindow {
  now: Date;
  timeZone: string;
}

/** "reply window open until 14:32" (a weekday before it when that is not today), or closed. */
export function windowLine(contact: Pick<Contact, 'lastInboundAt'>, at: CardWindow): string {
  const w = replyWindow(contact, at.now);
  if (!w.open) return ':lock: reply window closed — templates only';
  const day = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: at.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: at.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(w.until);
  const weekday = day(w.until) === day(at.now) ? '' : `${new Intl.DateTimeFormat('en-GB', { timeZone: at.timeZone, weekday: 'short' }).format(w.until)} `;
  return `:hourglass_flowing_sand: reply window open until ${weekday}${time}`;
}

/** The thread root: who this conversation is with, at a glance. Reply in the thread to answer. */
export function contactCard(contact: Contact, notePrefix: string, mode: ChannelMode = 'two-way', window?: CardWindow): { text: string; blocks: object[] } {
  const name = contactDisplayName(contact);
  const phone = contact.e164 ?? `${escapeMrkdwn(contact.waId)} (number hidden by WhatsApp)`;
  const labels = contact.labels.length > 0 ? contact.labels.map((l) => `\`${escapeMrkdwn(l)}\``).join(' ') : '_none_';
  const last = contact.lastInboundAt ? slackDate(contact.lastInboundAt) : '_never_';
  return {
    text: `WhatsApp conversation with ${name} (${phone})`,
    blocks: [
      ...(contact.simulated ? [SIMULATED_BANNER] : []),
      { type: 'section', text: { type: 'mrkdwn', text: `:speech_balloon: *${name}* · ${phone}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Labels*\n${labels}` },
          { type: 'mrkdwn', text: `*Consent*\n${consentWording[contact.consent.status]}` },
          { type: 'mrkdwn', text: `*Last message*\n${last}` },
          { type: 'mrkdwn', text: `*Status*\n${conversationLine(contact.conversation)}` },
          { type: 'mrkdwn', text: `*Assignee*\n${contact.conversation?.assignee ? `<@${contact.conversation.assignee}>` : '_nobody_'}` },
          ...(window ? [{ type: 'mrkdwn', text: `*WhatsApp*\n${windowLine(contact, window)}` }] : []),
        ],
      },
      conversationControls(contact),
      {
        type: 'actions',
        block_id: 'contact_card',
        elements: [
          { type: 'button', action_id: CARD_ACTIONS.labels, text: { type: 'plain_text', text: 'Labels' }, value: contact.waId },
          { type: 'button', action_id: CARD_ACTIONS.quickReply, text: { type: 'plain_text', text: 'Quick reply' }, value: contact.waId },
          // Templates exist on the Cloud API only (the card gets a window there).
          ...(window && contact.consent.status !== 'opted_out' ? [sendTemplateButton(contact.waId, 'Send template')] : []),
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
          // Leads only (checked on the click): erasure, confirmed first; the way to erase an @lid contact.
          {
            type: 'button',
            action_id: CARD_ACTIONS.forget,
            text: { type: 'plain_text', text: 'Forget contact' },
            value: contact.waId,
            confirm: {
              title: { type: 'plain_text', text: 'Erase this contact?' },
              text: { type: 'mrkdwn', text: `${name}'s profile, messages, files and this thread's posts are deleted for good. The number stays opted out. Team leads only.` },
              confirm: { type: 'plain_text', text: 'Erase' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              mode === 'notes-only'
                ? 'Replies in this thread stay in Slack (this channel is notes-only). To answer the customer on WhatsApp, press *Reply*.'
                : `Reply in this thread to answer on WhatsApp. Start a reply with \`${escapeMrkdwn(notePrefix)}\` for an internal note that stays in Slack.`,
          },
        ],
      },
    ],
  };
}
