import type { Clock } from '../clock';
import { checkPersonConsent } from '../consent/twins';
import type { Broadcast, BroadcastRecipient, SkipCode } from '../domain/broadcast';
import type { Contact, ContactRepository } from '../domain/contact';
import type { DeliveryState, MessageRepository } from '../domain/message';
import type { Logger } from '../logger';
import { fillQuickReply } from '../bridge/outbound/quick-reply-text';
import type { BroadcastRepository } from '../store/repositories/broadcast-repository';
import { planAudience } from './planner';
import { contactZone, quietUntil, type QuietHours } from './quiet-hours';

export interface BroadcastRules {
  maxPerWeek: number;
  quietHours: QuietHours;
  optOutLine: string;
  /** TZ_REPORTS: the quiet hours of contacts whose zone cannot be told from their number. */
  timeZone: string;
}

/** Template parameters as one recipient gets them: `{{first_name}}` and `{{name}}` filled from their WhatsApp name. */
export function templateParamsFor(params: string[], contact: Pick<Contact, 'name'>): string[] {
  return params.map((param) => fillQuickReply(param, { name: contact.name ?? 'there', agent: '' }));
}

/** A broadcast's figures: its recipients (pending, queued, skipped) and its copies' delivery states. */
export interface BroadcastFigures {
  recipients: Partial<Record<BroadcastRecipient['state'], number>>;
  delivery: Partial<Record<DeliveryState | 'withdrawn', number>>;
}

export interface BroadcastRunnerDeps {
  broadcasts: BroadcastRepository;
  contacts: ContactRepository;
  messages: Pick<MessageRepository, 'recordOutboundOnce' | 'broadcastCounts'>;
  rules: BroadcastRules;
  gateway: {
    name: string;
    /** Only the instance holding the WhatsApp session queues copies (others would only race it). */
    connected(): boolean;
  };
  /**
   * How many copies of one broadcast may wait in the send queue at once: enough to keep the
   * gateway's pace, few enough that an agent's reply is never stuck behind a broadcast, and that
   * Pause stops it within that many messages.
   */
  window: () => number;
  wakeWhatsApp: (contactWaId: string) => void;
  /** Told after each pass that changed something (the Slack progress message). */
  onProgress?: (broadcast: Broadcast, figures: BroadcastFigures) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

export interface BroadcastRunner {
  /** One pass: starts what is due, queues the next copies of what is sending, finishes what is done. */
  tick(): Promise<void>;
  figures(id: string): Promise<BroadcastFigures>;
  /** The text one recipient gets (the preview shows it for a named recipient). */
  textFor(broadcast: Pick<Broadcast, 'message'>, contact: Pick<Contact, 'name'>): string | undefined;
}

/**
 * Sends broadcasts, once per person, surviving anything. At start the audience is planned again
 * and written as one recipient per person (unique, so writing it again adds nobody). Each copy is
 * then queued as an outbound message keyed on the broadcast and the person — queued twice, it is
 * stored once — and from there it is an ordinary message of ours: the consent gate right before the
 * send, the anti-ban throttle, claim tokens, crash recovery. Before queuing, each recipient is
 * checked again (consent, archived), held for the morning in quiet hours, and counted against the
 * frequency cap on their contact in one write.
 */
export function createBroadcastRunner(deps: BroadcastRunnerDeps): BroadcastRunner {
  const log = deps.logger.child({ component: 'broadcasts' });
  let running: Promise<void> | undefined;

  function textFor(broadcast: Pick<Broadcast, 'message'>, contact: Pick<Contact, 'name'>): string | undefined {
    if (broadcast.message.kind !== 'text') return undefined;
    const body = fillQuickReply(broadcast.message.body, { name: contact.name ?? 'there', agent: '' }).trim();
    return `${body}\n\n${deps.rules.optOutLine}`;
  }

  async function figures(id: string): Promise<BroadcastFigures> {
    const [recipients, delivery] = await Promise.all([deps.broadcasts.recipientCounts(id), deps.messages.broadcastCounts(id)]);
    return { recipients, delivery };
  }

  /** Why this recipient is not to get it now, if so: checked again right before queuing. */
  async function refusal(contact: Contact | null): Promise<{ code: SkipCode; text: string } | undefined> {
    if (!contact) return { code: 'erased', text: 'erased' };
    if (contact.activity.status === 'archived') return { code: 'archived', text: 'archived' };
    const gate = await checkPersonConsent({ contacts: deps.contacts }, contact, 'broadcast');
    if (gate.allowed) return undefined;
    const status = contact.consent.status;
    const code = status === 'opted_out' ? 'opted_out' : status !== 'opted_in' ? 'not_opted_in' : 'twin_opted_out';
    return { code, text: gate.reason };
  }

  async function queue(broadcast: Broadcast, recipient: BroadcastRecipient, now: Date): Promise<boolean> {
    const { id } = broadcast;
    const contact = await deps.contacts.findByWaId(recipient.waId);
    const refused = await refusal(contact);
    if (refused) {
      await deps.broadcasts.markSkipped(id, recipient.person, refused, now);
      return false;
    }
    const until = quietUntil(deps.rules.quietHours, now, contactZone(recipient.waId, now, deps.rules.timeZone));
    if (until) {
      await deps.broadcasts.defer(id, recipient.person, until, now);
      return false;
    }
    const cap = await deps.broadcasts.claimCap(recipient.waId, { id, name: broadcast.name }, now, deps.rules.maxPerWeek);
    if (cap === 'over_cap') {
      await deps.broadcasts.markSkipped(id, recipient.person, { code: 'frequency_cap', text: `over the frequency cap (${deps.rules.maxPerWeek} in seven days)` }, now);
      return false;
    }
    const text = textFor(broadcast, contact!);
    const body = text ?? `Template “${broadcast.message.kind === 'template' ? broadcast.message.template.name : ''}”`;
    // A template's parameters may name the recipient ({{first_name}}, {{name}}), filled per person.
    const template = broadcast.message.kind === 'template' ? { template: { ...broadcast.message.template, params: templateParamsFor(broadcast.message.template.params, contact!) } } : {};
    const key = `broadcast:${id}:${recipient.person}`;
    // No notice in the contact's thread: thousands of them would hold up every real message in the
    // channel for hours (Slack takes one post a second per channel). A reply is marked instead.
    const { message } = await deps.messages.recordOutboundOnce({ contactWaId: recipient.waId, body, purpose: 'broadcast', broadcastId: id, at: now, state: 'pending', ...template }, key);
    await deps.broadcasts.markQueued(id, recipient.person, message.id, now);
    deps.wakeWhatsApp(recipient.waId);
    return true;
  }

  async function advance(broadcast: Broadcast, now: Date): Promise<void> {
    let current = broadcast;
    if (current.state === 'scheduled') {
      const started = await deps.broadcasts.transition(current.id, ['scheduled'], 'sending', { startedAt: now });
      if (!started) return;
      current = started;
    }
    if (!current.materialized) {
      const plan = await planAudience({ broadcasts: deps.broadcasts }, current.audience, { gateway: deps.gateway.name, maxPerWeek: deps.rules.maxPerWeek, now });
      await deps.broadcasts.writeRecipients(current.id, plan.recipients, now);
      current = { ...current, materialized: true };
      log.info({ broadcast: current.id, recipients: plan.recipients.length }, 'broadcast started: recipients written');
    }
    const before = await figures(current.id);
    const inFlight = (before.delivery.pending ?? 0) + (before.delivery.sending ?? 0);
    const room = deps.window() - inFlight;
    let changed = false;
    if (room > 0) {
      for (const recipient of await deps.broadcasts.duePending(current.id, now, room)) {
        await queue(current, recipient, now);
        changed = true;
      }
    }
    const after = changed ? await figures(current.id) : before;
    const left = (after.recipients.pending ?? 0) + (after.delivery.pending ?? 0) + (after.delivery.sending ?? 0);
    if (left === 0) {
      const done = await deps.broadcasts.transition(current.id, ['sending'], 'done', { finishedAt: now });
      if (done) {
        log.info({ broadcast: current.id }, 'broadcast finished');
        current = done;
      }
    }
    await deps.onProgress?.(current, after);
  }

  async function pass(): Promise<void> {
    const now = deps.clock();
    if (!deps.gateway.connected()) {
      // Nothing is queued meanwhile; the leads' message still says why it stands still.
      for (const broadcast of await deps.broadcasts.active(now).catch(() => [])) {
        if (broadcast.state === 'sending') await deps.onProgress?.(broadcast, await figures(broadcast.id)).catch(() => undefined);
      }
      return;
    }
    for (const broadcast of await deps.broadcasts.active(now)) {
      try {
        await advance(broadcast, now);
      } catch (err) {
        // Everything here is keyed or conditional: the next pass picks it up where this one stopped.
        log.error({ err, broadcast: broadcast.id }, 'broadcast pass failed; will go on at the next pass');
      }
    }
  }

  return {
    // Passes never overlap on one instance: a slow pass is joined, not doubled.
    tick: () => (running ??= pass().finally(() => (running = undefined))),
    figures,
    textFor,
  };
}
