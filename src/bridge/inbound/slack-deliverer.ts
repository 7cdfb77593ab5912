import type { webApi } from '@slack/bolt';
import { broadcastReplyNote } from '../../broadcast/reply-mark';
import type { Contact, ContactRepository, SlackConversation } from '../../domain/contact';
import type { LabelRepository } from '../../domain/label';
import type { MessageRepository, StoredMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import { contactPlainName } from '../../slack/blocks/contact-card';
import type { Cards } from '../../slack/card-refresh';
import { classifySlackError, slackErrorCode } from '../../slack/slack-errors';
import { DeliveryError } from '../dispatch/delivery-error';
import type { Deliverer } from '../dispatch/dispatcher';
import type { LaneLimiter } from '../dispatch/lane-limiter';
import type { MediaRepository } from '../../store/repositories/media-repository';
import { splitForPosts } from '../../slack/blocks/long-text';
import { formatInbound, phoneNote } from './format-inbound';
import { findPostedParts, lookupOldest, LOOKUP_PAGE, mayHavePosted, partlyPosted, postMetadata, type PostedParts, type RepliesPage } from './posted-lookup';

export interface SlackDelivererDeps {
  /** A WebClient with its own retries off: the dispatcher retries, durably. */
  client: webApi.WebClient;
  /** Slack's per-channel posting pace, taken right before each post so the spacing holds on the wire. */
  limiter: LaneLimiter;
  media: MediaRepository;
  contacts: ContactRepository;
  labels: LabelRepository;
  messages: MessageRepository;
  inboxChannel: string;
  /** The contact card, drawn for its channel's mode. */
  cards: Cards;
  logger: Logger;
}

const CONTACT_CACHE_MS = 5_000;

/** Slack's answers (to the post, or to the join after `not_in_channel`) that mean the bot cannot post in a channel at all. */
const CANNOT_POST_IN_CHANNEL = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'method_not_supported_for_channel_type',
  'user_is_restricted',
  'team_access_not_granted',
  'ekm_access_denied',
  // The join after `not_in_channel` needs channels:join; should the post itself lack a scope, the inbox fails alike and the message waits.
  'missing_scope',
]);

/**
 * Posts inbound WhatsApp messages into their conversation's Slack thread, creating the thread
 * (the contact card) on the first one, in the label-routed channel or the inbox.
 */
export function slackDeliverer(deps: SlackDelivererDeps): Deliverer {
  const { client, contacts, messages } = deps;

  /** Where a new thread starts: the winning route (priority, then name), or the inbox. */
  async function routeFor(contact: Contact): Promise<{ channel: string; label?: string }> {
    const [winner] = contact.labels.length ? await deps.labels.routesAmong(contact.labels) : [];
    return winner?.routeChannel ? { channel: winner.routeChannel, label: winner.name } : { channel: deps.inboxChannel };
  }

  /** Calls Slack; `not_in_channel` → join the channel and try once more; Retry-After pauses the channel. */
  async function call<T>(channel: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (slackErrorCode(err) !== 'not_in_channel') throw classified(channel, err);
      try {
        await client.conversations.join({ channel });
        return await send();
      } catch (again) {
        throw classified(channel, again);
      }
    }
  }

  function classified(channel: string, err: unknown) {
    const error = classifySlackError(err);
    if (error.failure.kind === 'retry' && error.failure.afterMs !== undefined) deps.limiter.pause(channel, error.failure.afterMs);
    return error;
  }

  /** A post into a channel: waits for the channel's turn first. */
  async function post(channel: string, args: Parameters<webApi.WebClient['chat']['postMessage']>[0]): Promise<{ ts?: string }> {
    return paced(channel, () => client.chat.postMessage(args) as Promise<{ ts?: string }>);
  }

  async function paced<T>(channel: string, send: () => Promise<T>): Promise<T> {
    await deps.limiter.acquire(channel);
    try {
      return await call(channel, send);
    } finally {
      deps.limiter.completed(channel);
    }
  }

  /**
   * Puts the file into the thread, once: after the upload the message remembers it, so a retry of
   * the text post does not upload again. A file Slack refuses for good is noted in the text instead.
   */
  async function uploadMedia(message: StoredMessage, conversation: SlackConversation): Promise<StoredMessage> {
    const ref = message.media;
    if (!ref?.storedId || ref.uploaded) return message;
    const file = await deps.media.load(ref.storedId);
    let next: StoredMessage['media'];
    if (!file) {
      next = { ...ref, storedId: undefined, unavailable: 'the file was lost before it could be posted' };
    } else {
      try {
        await paced(conversation.channel, () =>
          client.filesUploadV2({
            channel_id: conversation.channel,
            thread_ts: conversation.threadTs,
            file: file.data,
            filename: file.filename ?? `whatsapp-${message.waMessageId ?? message.id}`,
            title: file.filename ?? ref.mimetype,
          }),
        );
        next = { ...ref, storedId: undefined, uploaded: true };
      } catch (err) {
        if (!(err instanceof DeliveryError) || err.failure.kind !== 'permanent') throw err;
        next = { ...ref, storedId: undefined, unavailable: `Slack refused the file (${err.failure.reason})` };
      }
    }
    const updated = (await messages.recordChange(message.id, { media: next })) ?? { ...message, media: next };
    await deps.media.remove(ref.storedId);
    return updated;
  }

  // A conversation's messages come in runs: its contact is read once per few seconds, not per message.
  // A name changed meanwhile shows on the next run; the thread, once set, never changes.
  const recent = new Map<string, { contact: Contact; at: number }>();
  async function contactOf(message: StoredMessage): Promise<Contact> {
    const hit = recent.get(message.contactWaId);
    if (hit && performance.now() - hit.at < CONTACT_CACHE_MS) return hit.contact;
    // The recorder upserts the contact; after a crash between the two, the message itself is enough.
    const contact =
      (await contacts.findByWaId(message.contactWaId)) ??
      (await contacts.recordInbound({ waId: message.contactWaId, name: message.pushName, at: message.createdAt }));
    remember(contact);
    return contact;
  }
  function remember(contact: Contact): void {
    if (recent.size >= 10_000) recent.clear();
    recent.set(contact.waId, { contact, at: performance.now() });
  }

  async function threadOf(contact: Contact): Promise<SlackConversation> {
    if (contact.slack) return contact.slack;
    const route = await routeFor(contact);
    let channel = route.channel;
    let refused: string | undefined;
    let root: { ts?: string };
    try {
      root = await postRoot(contact, channel);
    } catch (err) {
      // A routed channel the bot can no longer post in (archived, removed, private) would fail
      // every message of the contact for good: the thread starts in the inbox instead, and says why.
      const code = err instanceof DeliveryError ? err.serviceCode : undefined;
      if (channel === deps.inboxChannel || !code || !CANNOT_POST_IN_CHANNEL.has(code)) throw err;
      deps.logger.warn({ channel, label: route.label, slackError: code }, 'the routed channel refused the thread; starting it in the inbox');
      refused = code;
      channel = deps.inboxChannel;
      root = await postRoot(contact, channel);
    }
    const saved = await contacts.setSlackConversation(contact.waId, { channel, threadTs: root.ts! });
    if (saved) remember(saved);
    const conversation = saved?.slack ?? { channel, threadTs: root.ts! };
    if (refused) await noteRerouted(conversation, route, refused);
    return conversation;
  }

  async function postRoot(contact: Contact, channel: string): Promise<{ ts?: string }> {
    const card = await deps.cards.render(contact, channel);
    return post(channel, { channel, ...card, unfurl_links: false, unfurl_media: false });
  }

  /** The first post of a thread that started in the inbox instead of its route. Best effort: the thread is what matters. */
  async function noteRerouted(conversation: SlackConversation, route: { channel: string; label?: string }, code: string): Promise<void> {
    const text = `:warning: This conversation should have started in <#${route.channel}> (label \`${route.label ?? '?'}\`), but Slack refused the post there (\`${code}\`), so it is here. A lead can fix the route with \`/wa label route\`.`;
    try {
      await post(conversation.channel, { channel: conversation.channel, thread_ts: conversation.threadTs, text, unfurl_links: false, unfurl_media: false });
    } catch (err) {
      deps.logger.warn({ err, channel: conversation.channel }, 'could not post the note on a thread started in the inbox');
    }
  }

  /**
   * After an attempt that may have reached Slack: which of the message's posts did? Our metadata
   * says; only the thread since the message's time is read, every page of it.
   */
  async function alreadyPosted(conversation: SlackConversation, message: StoredMessage, key: string): Promise<PostedParts> {
    const { channel, threadTs } = conversation;
    const oldest = lookupOldest(message);
    return findPostedParts(
      (cursor) =>
        call(channel, () =>
          client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: LOOKUP_PAGE, oldest, ...(cursor ? { cursor } : {}) }),
        ) as Promise<RepliesPage>,
      key,
    );
  }

  /**
   * A change in the conversation: the card is redrawn in place, and the notice (when it says
   * anything) is posted as the app, after the message that caused it. Read fresh: the card shows
   * the state now. A repeated redraw after a crash is harmless; a repeated notice is the
   * at-least-once window the README names.
   */
  async function deliverNotice(message: StoredMessage): Promise<void> {
    const contact = (await contacts.findByWaId(message.contactWaId)) ?? (await contactOf(message));
    remember(contact);
    const conversation = await threadOf(contact);
    try {
      await call(conversation.channel, async () => client.chat.update({ channel: conversation.channel, ts: conversation.threadTs, ...(await deps.cards.render(contact, conversation.channel)) }));
    } catch (err) {
      // A card Slack will never take (deleted, say) must not keep the notice from the thread.
      if (!(err instanceof DeliveryError) || err.failure.kind !== 'permanent') throw err;
      deps.logger.warn({ err, contact: contact.waId }, 'could not redraw the contact card');
    }
    // Nothing to post: recorded against the card it redrew.
    if (!message.body) return messages.markPosted(message.id, { channel: conversation.channel, ts: conversation.threadTs });
    const posted = await post(conversation.channel, { channel: conversation.channel, thread_ts: conversation.threadTs, text: message.body, unfurl_links: false, unfurl_media: false });
    await messages.markPosted(message.id, { channel: conversation.channel, ts: posted.ts! });
  }

  return {
    async deliver(message: StoredMessage, { reclaimed }) {
      if (message.kind === 'notice') return deliverNotice(message);
      const contact = await contactOf(message);
      const conversation = await threadOf(contact);
      const { channel, threadTs } = conversation;
      const key = message.waMessageId ?? message.id;
      const found = mayHavePosted(message, reclaimed) ? await alreadyPosted(conversation, message, key) : undefined;
      if (found?.complete) return messages.markPosted(message.id, { channel, ts: found.tsByPart.get(1) ?? [...found.tsByPart.values()][0]! });
      message = await uploadMedia(message, conversation);
      const note = message.fromPhone ? phoneNote(contact, message) : (message.consentNotice ?? broadcastReplyNote(contact, message.createdAt));
      const banner = note ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }] : [];
      // Long text goes in several posts, in order, each within Slack's limits (the banner under the last).
      const parts = splitForPosts(formatInbound(message), { sections: banner.length > 0, reservedBlocks: banner.length });
      let first = found?.tsByPart.get(1);
      let postedNow = 0;
      for (const [i, part] of parts.entries()) {
        if (found?.tsByPart.has(i + 1)) continue;
        const sections = part.sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text || ' ' } }));
        const posted = await post(channel, {
          channel,
          thread_ts: threadTs,
          text: part.text,
          ...(banner.length ? { blocks: [...sections, ...(i === parts.length - 1 ? banner : [])] } : {}),
          // Ours from the phone reads as the team's, not the contact's.
          ...(message.fromPhone
            ? message.automated
              ? { username: 'Auto-reply (phone)', icon_emoji: ':robot_face:' }
              : { username: 'Sent from the phone', icon_emoji: ':iphone:' }
            : { username: contactPlainName({ ...contact, name: contact.name ?? message.pushName }, 80), icon_emoji: ':speech_balloon:' }),
          unfurl_links: false,
          unfurl_media: false,
          metadata: postMetadata(key, i + 1, parts.length),
        }).catch((err: unknown) => {
          throw postedNow > 0 ? partlyPosted(err) : err;
        });
        postedNow++;
        first ??= posted.ts;
      }
      // The first part stands for the message (reactions, edits, erasure).
      await messages.markPosted(message.id, { channel, ts: first! });
    },
  };
}

