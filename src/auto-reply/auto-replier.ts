import type { Clock } from '../clock';
import type { AutoReplyKind, AutoReplyRepository, OwedAutoReply } from '../domain/auto-reply';
import type { Contact } from '../domain/contact';
import type { InboundNews } from '../domain/contact';
import type { MessageRepository } from '../domain/message';
import { openState, weekdayAndTime, type BusinessHours } from '../hours/business-hours';
import { createHoursStore } from '../hours/hours-store';
import type { Logger } from '../logger';
import { escapeMrkdwn } from '../slack/mrkdwn';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { createAutoReplyStore, fillAutoReply, firstNameOf, type AutoReplySettings } from './auto-reply-settings';
import { decideAutoReply } from './decide';

/** HELP is answered at most this often per contact: two bots must not keep answering each other. */
export const HELP_EVERY_MS = 10 * 60_000;
/** A reply owed this long (its claimer crashed or failed) is stored by the sweep. */
export const OWED_GRACE_MS = 60_000;

export interface AutoReplierDeps {
  autoReplies: AutoReplyRepository;
  messages: Pick<MessageRepository, 'recordOutboundOnce' | 'recordInbound'>;
  contacts: { findByWaId(waId: string): Promise<Contact | null> };
  /** Read on every message: give it the cached settings (store/repositories/cached-settings.ts). */
  settings: SettingsRepository;
  greetingAfterMs: number;
  awayEveryMs: number;
  businessName: string;
  timeZone: string;
  isConsentKeyword: (text: string) => boolean;
  isHelpKeyword: (text: string) => boolean;
  wakeSlack: (contactWaId: string) => void;
  wakeWhatsApp: (contactWaId: string) => void;
  clock: Clock;
  logger: Logger;
}

/** The message a burst ends with, as the decision needs it. */
export interface AnsweredMessage {
  id: string;
  at: Date;
  /** Its text; undefined for media and the like. */
  text?: string;
}

export interface AutoReplier {
  /** After a burst is recorded (its contact written): decides, claims and stores the reply it is owed, if any. */
  answer(contact: Contact & InboundNews, message: AnsweredMessage, burstSince: Date): Promise<void>;
  /** Stores the replies claimed and left owed (a crash, a store error); how many. */
  sweep(): Promise<number>;
}

const LABELS: Record<AutoReplyKind, string> = { greeting: 'greeting', away: 'away', help: 'HELP' };

/**
 * Greeting, away and HELP replies. Each goes the way every message of ours goes — the outbound
 * queue, with its consent gate at send time, the send throttle and (Cloud API) the reply window — as
 * purpose `auto_reply`, which never counts as the team's answer. In the thread, a notice after the
 * contact's message says what was sent ("auto-reply: away").
 *
 * Once, whatever happens: the claim on the contact (one write: the kind's last time and the debt)
 * decides between two messages or two instances; the reply and its notice are keyed on the message
 * they answer, so storing them again after a failure or by the sweep stores nothing twice.
 */
export function createAutoReplier(deps: AutoReplierDeps): AutoReplier {
  const log = deps.logger.child({ component: 'auto-replies' });
  const hoursStore = createHoursStore(deps);
  const textsStore = createAutoReplyStore(deps);
  /** The settings in force (each parsed once per stored value; the settings are cached for a moment). */
  async function current(): Promise<{ hours: BusinessHours | null; texts: AutoReplySettings }> {
    const [hours, texts] = await Promise.all([hoursStore.load(), textsStore.load()]);
    return { hours, texts };
  }

  function every(kind: AutoReplyKind): number {
    return kind === 'away' ? deps.awayEveryMs : kind === 'greeting' ? deps.greetingAfterMs : HELP_EVERY_MS;
  }

  /** Stores the reply and its thread notice (both keyed on the message answered), then pays the debt. */
  async function store(contact: Contact, owed: OwedAutoReply): Promise<void> {
    // Opted out since the claim (the sweep comes later): nothing to send, and nothing to show.
    if (contact.consent.status === 'opted_out') return deps.autoReplies.paid(contact.waId, owed.for);
    const { hours, texts } = await current();
    const opening = hours ? openState(hours, owed.at, deps.timeZone) : null;
    const opensAt = opening && !opening.open && opening.opensAt ? weekdayAndTime(opening.opensAt, deps.timeZone) : undefined;
    const body = fillAutoReply(texts[owed.kind].text, { firstName: firstNameOf(contact.name), opensAt, businessName: deps.businessName });
    const key = `auto:${owed.kind}:${owed.for}`;
    await deps.messages.recordOutboundOnce({ contactWaId: contact.waId, body, purpose: 'auto_reply', at: deps.clock(), state: 'pending' }, key);
    await deps.messages.recordInbound({
      waMessageId: key,
      contactWaId: contact.waId,
      kind: 'notice',
      body: noticeText(owed.kind, body),
      // Right after the message it answers (an "open again" notice takes the first millisecond).
      at: new Date(owed.at.getTime() + 2),
      holdUntil: owed.at,
    });
    await deps.autoReplies.paid(contact.waId, owed.for);
    deps.wakeWhatsApp(contact.waId);
    deps.wakeSlack(contact.waId);
  }

  return {
    async answer(contact, message, burstSince) {
      const { hours, texts } = await current();
      const kind = decideAutoReply({
        text: message.text,
        at: message.at,
        burstSince,
        now: deps.clock(),
        created: contact.created === true,
        previousInboundAt: contact.previousInboundAt,
        consentStatus: contact.consent.status,
        open: hours ? openState(hours, message.at, deps.timeZone).open : null,
        settings: texts,
        greetingAfterMs: deps.greetingAfterMs,
        isConsentKeyword: deps.isConsentKeyword,
        isHelpKeyword: deps.isHelpKeyword,
      });
      if (!kind) return;
      const notBefore = new Date(message.at.getTime() - every(kind));
      // Claimed recently as the contact's write just read: the claim would fail (the usual case
      // while closed, message after message), so it is not made. The store decides all other cases.
      const last = contact.lastAutoReplies?.[kind];
      if (last && last > notBefore) return;
      const owed: OwedAutoReply = { kind, for: message.id, at: message.at, claimedAt: deps.clock() };
      if (!(await deps.autoReplies.claim(contact.waId, owed, notBefore))) {
        log.debug({ contact: contact.id, kind }, 'automatic reply sent recently: not again');
        return;
      }
      await store(contact, owed);
    },
    async sweep() {
      const left = await deps.autoReplies.owed(new Date(deps.clock().getTime() - OWED_GRACE_MS), 100);
      for (const { waId, owed } of left) {
        const contact = await deps.contacts.findByWaId(waId);
        if (!contact) continue;
        log.warn({ contact: contact.id, kind: owed.kind }, 'storing an automatic reply a failure left owed');
        await store(contact, owed);
      }
      return left.length;
    },
  };
}

/** What the thread shows: the app's own message, not an agent's answer. */
function noticeText(kind: AutoReplyKind, body: string): string {
  const quoted = escapeMrkdwn(body)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return `:robot_face: *auto-reply: ${LABELS[kind]}* (sent by Switchboard, not counted as a response)\n${quoted}`;
}
