import type { webApi } from '@slack/bolt';
import { contactZone, quietUntil, type QuietHours } from '../../broadcast/quiet-hours';
import type { GateDecision } from '../../consent/consent-gate';
import { checkTemplateConsent } from '../../consent/template-consent';
import { checkPersonConsent } from '../../consent/twins';
import type { ConsentLedger } from '../../domain/consent-event';
import type { Contact, ContactRepository } from '../../domain/contact';
import type { ConversationRepository } from '../../domain/conversation';
import type { Cards } from '../../slack/card-refresh';
import type { MessageRepository, OutboundTemplate, StoredMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import type { IntakeRepository } from '../../store/repositories/intake-repository';
import type { MediaRepository } from '../../store/repositories/media-repository';
import type { SettingsRepository } from '../../store/repositories/settings-repository';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import { cloudBehind } from '../../whatsapp/cloud/cloud-registry';
import { GatewaySendError, type SentMessage, type WhatsAppGateway } from '../../whatsapp/gateway';
import { channelMode } from '../../workflow/channel-mode';
import { failPermanently, retryLater } from '../dispatch/delivery-error';
import type { Deliverer } from '../dispatch/dispatcher';
import { DELIVERY_REACTIONS } from './delivery-reactions';

export interface WhatsAppDelivererDeps {
  gateway: WhatsAppGateway;
  contacts: ContactRepository;
  messages: MessageRepository;
  media: MediaRepository;
  client: webApi.WebClient;
  conversations: ConversationRepository;
  cards: Cards;
  clock: () => Date;
  logger: Logger;
  /** False while the catch-up after WhatsApp's latest connect has not yet read this contact's missed messages (a STOP among them?). */
  caughtUp?: (contactWaId: string) => boolean;
  /**
   * The channel modes, and the intakes that tell a reply typed in a thread (keyed on its Slack
   * message) from one written in a modal: a thread reply does not go once its channel is notes-only.
   */
  settings?: SettingsRepository;
  intakes?: Pick<IntakeRepository, 'findByKey'>;
  /** The simulator is the gateway: contacts played on its page may be written to. */
  simulator?: boolean;
  /** Broadcast copies are not sent in the contact's quiet hours (BROADCAST_QUIET_HOURS; TZ_REPORTS where their zone is unknown). */
  quietHours?: { hours: QuietHours; timeZone: string };
  /** Marketing stops, for a MARKETING template's gate in the send slot (without it, judged when queued and by WhatsApp's 131050). */
  ledger?: Pick<ConsentLedger, 'listForContact'>;
}

const WITHDRAWN = 'deleted in Slack before it was sent';
const SIMULATED = 'this contact was played on the simulator; the number may be a real person\'s, so nothing is sent to it through WhatsApp';
const NOTES_ONLY = 'the channel was switched to notes-only before it was sent (the card\'s Reply button answers the customer there)';

/** While WhatsApp is not connected, queued replies are looked at again this often (and on reconnect). */
const OFFLINE_RETRY_MS = 15_000;

/** Waiting for the catch-up is not a failure: no attempt counted, looked at again soon (and woken when it ends). */
const CATCH_UP_WAIT_MS = 5_000;

/**
 * Sends queued replies to WhatsApp. Everything that can forbid a send is judged inside the send's
 * slot, immediately before it goes out (the anti-ban wait can last minutes): the claim is still
 * ours, the reply was not withdrawn, the contact exists, consent (both WhatsApp ids) allows it, and
 * the catch-up has read what the contact sent while WhatsApp was away.
 */
export function whatsappDeliverer(deps: WhatsAppDelivererDeps): Deliverer {
  const { gateway, contacts, messages, client } = deps;
  const react = async (message: StoredMessage, name: string) => {
    if (!message.slack) return;
    await client.reactions
      .add({ channel: message.slack.channel, timestamp: message.slack.ts, name })
      .catch((err: unknown) => deps.logger.warn({ err, reaction: name }, 'could not add a delivery reaction'));
  };

  /**
   * Our message with the same text in the chat, sent no earlier than this one was queued (WhatsApp
   * counts whole seconds). Nothing overtakes a queued reply, so a match is this reply, already out.
   */
  async function alreadySent(chatId: string, message: StoredMessage): Promise<{ id: string; at: Date } | undefined> {
    const text = message.body ?? '';
    if (!text) return undefined; // a file without caption cannot be recognised; sent again (docs/delivery.md)
    const since = Math.floor(message.createdAt.getTime() / 1000) * 1000;
    const candidates = (await gateway.recentOwnMessages(chatId, 20)).filter((m) => m.text === text && m.at.getTime() >= since);
    let match: { id: string; at: Date } | undefined;
    // The same words sent for another reply ("ok" twice) are that reply's, not this one's.
    for (const m of candidates) if (!(await messages.findByWaMessageId(m.id))) match = match ?? m;
    if (match) deps.logger.warn({ messageId: message.id, waMessageId: match.id }, 'a reply sent before a crash was found in the chat; not sending it again');
    return match;
  }

  /**
   * A reply typed in a thread whose channel is notes-only now (a lead switched it while the reply
   * waited): it must stay in Slack, as it would had it been typed a moment later. A reply from the
   * card's modal is the way a notes-only channel answers, so it goes. The mode is read first: the
   * intake is looked up only in notes-only channels.
   */
  async function typedInNotesOnly(message: StoredMessage): Promise<boolean> {
    if (!message.slack || !deps.settings) return false;
    if ((await channelMode(deps.settings, message.slack.channel)) !== 'notes-only') return false;
    // Recorded on the reply; replies queued before it was recorded are told apart by their intake
    // (kept 7 days after it was handled).
    if (message.via) return message.via === 'thread';
    const intake = await deps.intakes?.findByKey(`${message.slack.channel}:${message.slack.ts}`);
    return intake?.kind === 'thread';
  }

  /** The conversation's queue state after an agent's reply; sent is sent, so a failure here is only logged. */
  async function answered(waId: string, at: Date): Promise<void> {
    try {
      if (!(await deps.conversations.agentReplied(waId, at))) return;
      const updated = await contacts.findByWaId(waId);
      if (updated) await deps.cards.refresh(client, updated);
    } catch (err) {
      deps.logger.warn({ err, contact: waId }, 'reply sent, but the conversation state could not be updated');
    }
  }

  /** A template's consent gate, by its category (consent/template-consent.ts). */
  async function templateGate(contact: Contact, category: string): Promise<GateDecision> {
    // Without the ledger the marketing stop was judged when queued only; one that came since is
    // still caught by WhatsApp, which refuses the send with 131050 (a ledger entry then too).
    return checkTemplateConsent({ contacts, ledger: deps.ledger ?? { listForContact: async () => [] } }, contact, category);
  }

  /** Only the Cloud API has templates: on another gateway a queued template fails plainly. */
  async function sendTemplate(waId: string, template: OutboundTemplate, check: () => Promise<void>): Promise<SentMessage> {
    const cloud = cloudBehind(gateway);
    if (!cloud) throw new GatewaySendError('rejected', 'templates can only be sent through the WhatsApp Cloud API (WHATSAPP_GATEWAY=cloud)');
    return cloud.sendTemplate(waId, template, { check });
  }

  return {
    async deliver(message, { reclaimed }) {
      const token = message.delivery.claimToken ?? '';
      const purpose = message.purpose ?? 'reply';
      const waId = message.contactWaId;
      /** The last word, asked in the slot (see SendOptions.check); throws to stop the send. */
      const check = async () => {
        // Read together: one round trip of waiting instead of two, and both as of the same moment.
        const [{ claim, owesConsent }, contact] = await Promise.all([messages.sendSlotCheck(message.id, token, waId), contacts.findByWaId(waId)]);
        // Taken over after our claim lapsed: the new holder sends it (or finds it sent); we record nothing.
        if (claim === 'lost') throw retryLater('the claim lapsed and was taken over', { countAttempt: false });
        if (claim === 'withdrawn') throw failPermanently(WITHDRAWN);
        if (!contact) throw failPermanently('the contact no longer exists');
        if (contact.simulated && !deps.simulator) throw failPermanently(SIMULATED);
        const gate = message.template ? await templateGate(contact, message.template.category) : await checkPersonConsent({ contacts }, contact, purpose);
        if (!gate.allowed) throw failPermanently(gate.reason, 'consent_refused');
        if (purpose === 'broadcast') {
          // A broadcast template passes its category's rule and the broadcast's own: a confirmed opt-in.
          const confirmed = message.template ? await checkPersonConsent({ contacts }, contact, 'broadcast') : gate;
          if (!confirmed.allowed) throw failPermanently(confirmed.reason, 'consent_refused');
          // Queued by day but held up (WhatsApp away, a long queue) into the contact's night: it waits for the morning.
          const now = deps.clock();
          const until = deps.quietHours ? quietUntil(deps.quietHours.hours, now, contactZone(waId, now, deps.quietHours.timeZone)) : null;
          if (until) throw retryLater('quiet hours for the contact', { afterMs: until.getTime() - now.getTime(), countAttempt: false });
        }
        if (purpose === 'reply' && (await typedInNotesOnly(message))) throw failPermanently(NOTES_ONLY);
        if (deps.caughtUp && !deps.caughtUp(waId)) throw retryLater('waiting for the catch-up with WhatsApp', { afterMs: CATCH_UP_WAIT_MS, countAttempt: false });
        // A consent keyword of theirs is stored but not handled yet (a store error or a crash came
        // between): it may be a STOP, so nothing goes until it is.
        if (owesConsent) throw retryLater('a consent keyword from the contact is still being recorded', { afterMs: CATCH_UP_WAIT_MS, countAttempt: false });
      };
      const file = message.media?.storedId ? await deps.media.load(message.media.storedId) : null;
      if (message.media?.storedId && !file) throw failPermanently('the attached file was lost before it could be sent');
      const caption = message.body || undefined;
      // Claimed before (a crash, a failed or taken-over attempt): it may have reached WhatsApp.
      const triedBefore = reclaimed || message.delivery.attempts > 0 || (message.delivery.claims ?? 1) > 1;
      let sent;
      try {
        sent = (triedBefore ? await alreadySent(waId, message) : undefined) ??
          (message.template
            ? await sendTemplate(waId, message.template, check)
            : file
            ? await gateway.sendMedia(waId, { mimetype: file.mimetype, filename: file.filename, data: file.data, ...(caption ? { caption } : {}) }, { check })
            : await gateway.sendText(waId, message.body ?? '', { check }));
      } catch (err) {
        if (!(err instanceof GatewaySendError)) throw err;
        if (err.kind === 'not_connected') throw retryLater(err.message, { afterMs: OFFLINE_RETRY_MS, countAttempt: false });
        if (err.kind === 'rejected') throw failPermanently(err.message);
        throw retryLater(err.message);
      }
      if (!(await messages.markSent(message.id, sent.id, sent.at, token))) {
        // Sent, but our claim was taken over while the send ran: the new holder finds it in the chat.
        deps.logger.warn({ messageId: message.id, waMessageId: sent.id }, 'sent, but the claim was taken over meanwhile; the new holder will find it in the chat');
        return;
      }
      if (message.media?.storedId) await deps.media.remove(message.media.storedId);
      // The queue state first: the reaction is a Slack call that may be slow to succeed.
      if (purpose === 'reply') await answered(waId, sent.at);
      await react(message, DELIVERY_REACTIONS.sent);
    },
    async onPermanentFailure(message, reason) {
      if (reason === WITHDRAWN) return; // the agent deleted it and has been told
      await react(message, DELIVERY_REACTIONS.failed);
      if (!message.slack) return;
      const contact = await contacts.findByWaId(message.contactWaId);
      const thread = contact?.slack;
      if (!thread) return;
      await client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.threadTs,
        text: `:warning: Not delivered to WhatsApp: ${escapeMrkdwn(reason)}`,
        unfurl_links: false,
      });
    },
  };
}
