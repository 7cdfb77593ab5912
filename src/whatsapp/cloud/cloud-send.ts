import type { Clock } from '../../clock';
import { GatewaySendError, type GatewayEvent, type OutboundMedia, type SendOptions, type SentMessage } from '../gateway';
import type { ChatMemory } from './chat-memory';
import { GraphCallError, type GraphClient } from './graph-client';
import type { SendRate } from './send-rate';
import { splitText } from './text-parts';

/** Meta's media size limits by message type (Cloud API notes §2, via AWS's copy of Meta's table). */
const MB = 1024 * 1024;
export const MEDIA_LIMITS = { image: 5 * MB, audio: 16 * MB, video: 16 * MB, document: 100 * MB, sticker: 500 * 1024 } as const;
type MediaType = keyof typeof MEDIA_LIMITS;
const TYPE_WORD: Record<MediaType, string> = { image: 'images', audio: 'audio files', video: 'videos', document: 'documents', sticker: 'stickers' };
const MAX_CAPTION = 1024;
/** A later part of a long text that meets a rate limit is retried here this many times (see sendParts). */
const LATER_PART_TRIES = 4;

export const digitsOf = (chatId: string): string => chatId.replace(/@.*$/, '');

export interface CloudSenderDeps {
  graph: GraphClient;
  rate: SendRate;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  phoneNumberId: string;
  memory: ChatMemory;
  emit: (event: GatewayEvent) => void;
}

/** The Cloud API gateway's send path: every message to Meta goes through {@link sendOne}. */
export class CloudSender {
  constructor(private readonly deps: CloudSenderDeps) {}

  /**
   * Texts over 4,096 characters go as several messages, in order. The id returned is the LAST
   * part's: it is the one the reply's delivery state follows, and a `read` for it means the whole
   * reply was read (reading a message marks the earlier ones read). The wwebjs gateway never splits
   * (WhatsApp Web takes long texts), so there is no multi-part record to follow.
   */
  async sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    const parts = splitText(text);
    if (parts.length === 0) throw new GatewaySendError('rejected', 'the message is empty');
    return this.sendParts(chatId, parts.map((body) => ({ type: 'text', text: { preview_url: false, body } })), options);
  }

  async sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    const type = mediaTypeOf(media.mimetype);
    const limit = MEDIA_LIMITS[type];
    // Before the upload: a file WhatsApp would refuse is not sent to Meta at all.
    if (media.data.length > limit) {
      throw new GatewaySendError('rejected', `WhatsApp accepts ${TYPE_WORD[type]} up to ${sizeText(limit)}; this file is ${sizeText(media.data.length)}`);
    }
    let id: string;
    try {
      id = await this.deps.graph.upload(this.deps.phoneNumberId, media);
    } catch (err) {
      throw sendError(err);
    }
    // Audio and stickers take no caption, and a caption holds 1,024 characters: otherwise the words follow as text.
    const captionFits = media.caption !== undefined && type !== 'audio' && type !== 'sticker' && media.caption.length <= MAX_CAPTION;
    const body: Record<string, unknown> = { id, ...(captionFits ? { caption: media.caption } : {}), ...(type === 'document' && media.filename ? { filename: media.filename } : {}) };
    const follow = media.caption && !captionFits ? splitText(media.caption).map((t) => ({ type: 'text', text: { preview_url: false, body: t } })) : [];
    return this.sendParts(chatId, [{ type, [type]: body }, ...follow], options);
  }

  /**
   * Sends the parts in order, each after the rate wait and `options.check` (consent is judged as each
   * part goes; a STOP between parts stops the rest). The first part's failure is the caller's to
   * retry. A later part's cannot be: the parts before it are out, and nothing here can tell a retry
   * which (no history), so a rate limit there is waited out in place, and anything else ends the
   * send as rejected, saying how much arrived.
   */
  async sendParts(chatId: string, parts: Array<Record<string, unknown>>, options?: SendOptions): Promise<SentMessage> {
    let last: SentMessage | undefined;
    for (const [i, part] of parts.entries()) {
      const context = i === 0 && options?.quotedMessageId ? { context: { message_id: options.quotedMessageId } } : {};
      const payload = { messaging_product: 'whatsapp', recipient_type: 'individual', to: digitsOf(chatId), ...part, ...context };
      for (let tries = 1; ; tries++) {
        try {
          last = await this.sendOne(chatId, payload, options);
          break;
        } catch (err) {
          if (i === 0 || !(err instanceof GatewaySendError)) throw err;
          if ((err.kind === 'rate_limited' || err.kind === 'unknown') && tries < LATER_PART_TRIES) {
            await this.deps.sleep(1000 * 2 ** tries);
            continue;
          }
          throw new GatewaySendError('rejected', `only the first ${i} of ${parts.length} parts reached WhatsApp: ${err.message}`);
        }
      }
    }
    return last!;
  }

  async sendOne(chatId: string, payload: Record<string, unknown>, options?: SendOptions): Promise<SentMessage> {
    const { deps } = this;
    await deps.rate.take();
    // The send-time gate: after the rate wait, immediately before the request (SendOptions.check).
    await options?.check?.();
    let answer: { messages?: Array<{ id?: string }> };
    try {
      answer = await deps.graph.post(`/${deps.phoneNumberId}/messages`, payload);
    } catch (err) {
      if (err instanceof GraphCallError && err.decision.kind === 'marketing_stopped') {
        // 131050 is WhatsApp saying the contact stopped marketing messages: the same ledger entry as the webhook's.
        deps.emit({ type: 'marketing_preference', from: chatId, preference: 'stop', at: deps.clock() });
      }
      throw sendError(err);
    }
    const id = answer.messages?.[0]?.id;
    if (!id) throw new GatewaySendError('unknown', 'WhatsApp accepted the message without giving its id');
    deps.memory.remember(chatId, id, false);
    return { id, at: deps.clock() };
  }

  async react(messageId: string, emoji: string): Promise<void> {
    const chatId = this.deps.memory.chatOfMessage(messageId);
    if (!chatId) throw new GatewaySendError('rejected', 'the chat of that message is not known here (the Cloud API needs it to react)');
    await this.sendOne(chatId, { messaging_product: 'whatsapp', recipient_type: 'individual', to: digitsOf(chatId), type: 'reaction', reaction: { message_id: messageId, emoji } });
  }

  /** Marks the chat's last inbound message read (which marks the earlier ones too); best effort: known only since this process started. */
  async markRead(chatId: string): Promise<void> {
    const messageId = this.deps.memory.lastInboundOf(chatId);
    if (!messageId) return;
    try {
      await this.deps.graph.post(`/${this.deps.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: messageId });
    } catch (err) {
      throw sendError(err);
    }
  }
}

/** The message type a file goes as: what WhatsApp shows inline, anything else as a document. */
export function mediaTypeOf(mimetype: string): MediaType {
  const m = mimetype.toLowerCase().split(';')[0]!.trim();
  if (m === 'image/jpeg' || m === 'image/png') return 'image';
  if (m === 'image/webp') return 'sticker';
  if (['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'].includes(m)) return 'audio';
  if (m === 'video/mp4' || m === 'video/3gpp') return 'video';
  return 'document';
}

function sizeText(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** The port's error for a Graph API failure, decided by code (send-errors.ts). */
export function sendError(err: unknown): Error {
  if (!(err instanceof GraphCallError)) return err instanceof Error ? err : new Error(String(err));
  const { kind, reason } = err.decision;
  if (kind === 'rate_limited') return new GatewaySendError('rate_limited', reason);
  if (kind === 'retry') return new GatewaySendError('unknown', reason);
  return new GatewaySendError('rejected', reason);
}
