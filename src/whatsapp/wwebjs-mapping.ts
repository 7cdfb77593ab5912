import type { Message, MessageAck, Reaction } from 'whatsapp-web.js';
import type { AckLevel, GatewayEvent, InboundContent, InboundMessage } from './gateway';

export interface MappingOptions {
  /** Group chats are ignored unless the team opts in (WHATSAPP_GROUPS=true). */
  allowGroups: boolean;
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

/** Raw fields whatsapp-web.js keeps on `_data` but does not type. */
interface RawData {
  notifyName?: string;
  mimetype?: string;
  filename?: string;
  size?: number;
  quotedStanzaID?: string;
  quotedMsg?: { body?: string; caption?: string };
}

/**
 * A whatsapp-web.js message as a domain inbound message, or null for what the app never mirrors:
 * our own sends, status broadcasts (always), and group chats (unless allowed).
 */
export function toInboundMessage(msg: Message, options: MappingOptions): InboundMessage | null {
  if (msg.fromMe || msg.isStatus || msg.broadcast || msg.from === 'status@broadcast') return null;
  if (!mirrored(msg.from, options)) return null;
  const raw = ((msg as unknown as { _data?: RawData })._data ?? {}) as RawData;
  const quoted = raw.quotedMsg ? { id: String(raw.quotedStanzaID ?? ''), text: raw.quotedMsg.body ?? raw.quotedMsg.caption } : undefined;
  return {
    id: msg.id._serialized,
    // In a group the chat is `from`; the person is `author`. Mirroring is per chat.
    from: msg.from,
    ...(raw.notifyName ? { pushName: raw.notifyName } : {}),
    content: contentOf(msg, raw),
    ...(quoted ? { quoted } : {}),
    at: new Date(msg.timestamp * 1000),
  };
}

function contentOf(msg: Message, raw: RawData): InboundContent {
  if (msg.type === 'location' && msg.location) {
    const loc = msg.location as unknown as { latitude: number | string; longitude: number | string; name?: string; address?: string };
    return {
      kind: 'location',
      latitude: Number(loc.latitude),
      longitude: Number(loc.longitude),
      ...(loc.name ? { name: loc.name } : {}),
      ...(loc.address ? { address: loc.address } : {}),
    };
  }
  if (msg.type === 'vcard' || msg.type === 'multi_vcard') return { kind: 'contact_card', vcards: msg.vCards };
  if (MEDIA_TYPES.has(msg.type) || msg.hasMedia) {
    return {
      kind: 'media',
      mimetype: raw.mimetype ?? 'application/octet-stream',
      ...(raw.filename ? { filename: raw.filename } : {}),
      ...(raw.size ? { size: raw.size } : {}),
      ...(msg.body ? { caption: msg.body } : {}),
      fetch: async () => {
        const media = await msg.downloadMedia();
        if (!media) throw new Error(`WhatsApp no longer has the media of message ${msg.id._serialized}`);
        return Buffer.from(media.data, 'base64');
      },
    };
  }
  if (msg.type === 'chat') return { kind: 'text', text: msg.body };
  // Anything else (polls, events, payments…) is still shown, never silently dropped.
  return { kind: 'text', text: msg.body ? `${msg.body}\n_(WhatsApp ${msg.type} message)_` : `_(a WhatsApp ${msg.type} message Switchboard cannot show)_` };
}

/** What a person writes; the rest of our account's `message_create` events are WhatsApp's own (call logs, security notices…). */
const WRITTEN_TYPES = new Set(['chat', 'image', 'video', 'audio', 'ptt', 'ptv', 'document', 'sticker', 'location', 'vcard', 'multi_vcard', 'poll_creation']);

/**
 * A message our account wrote, as a message of the contact's chat (`from` is the chat). Whether the
 * app sent it is for the gateway to judge (see own-sends.ts); this keeps only what a person wrote.
 * It never sets `automated`: WhatsApp Web does not mark the Business App's greeting and away
 * messages (`ctwaContext.automatedGreetingMessageShown` is about a click-to-WhatsApp ad's greeting
 * shown to the customer, on their message), so here those count as typed on the phone.
 */
export function toPhoneMessage(msg: Message, options: MappingOptions): InboundMessage | null {
  if (!msg.fromMe || !WRITTEN_TYPES.has(msg.type) || msg.isStatus || msg.broadcast || !mirrored(msg.to, options)) return null;
  const raw = ((msg as unknown as { _data?: RawData & { isNotification?: boolean } })._data ?? {}) as RawData & { isNotification?: boolean };
  if (raw.isNotification) return null;
  const quoted = raw.quotedMsg ? { id: String(raw.quotedStanzaID ?? ''), text: raw.quotedMsg.body ?? raw.quotedMsg.caption } : undefined;
  return { id: msg.id._serialized, from: msg.to, content: contentOf(msg, raw), ...(quoted ? { quoted } : {}), at: new Date(msg.timestamp * 1000) };
}

const ACK_LEVELS: Record<number, AckLevel> = { [-1]: 'error', 0: 'pending', 1: 'server', 2: 'device', 3: 'read', 4: 'played' };

export function toAckLevel(ack: MessageAck): AckLevel {
  return ACK_LEVELS[ack as number] ?? 'pending';
}

/** Only the contacts' own chats (and groups when allowed) are mirrored; everything else is noise. */
function mirrored(chatId: string, options: MappingOptions): boolean {
  if (chatId === 'status@broadcast' || chatId.endsWith('@broadcast') || chatId.endsWith('@newsletter')) return false;
  return !chatId.endsWith('@g.us') || options.allowGroups;
}

/** A contact edited one of their messages (our own edits are not echoed back). */
export function toEditEvent(msg: Message, newBody: string, options: MappingOptions): GatewayEvent | null {
  if (msg.fromMe || !mirrored(msg.from, options)) return null;
  return { type: 'edit', messageId: msg.id._serialized, chatId: msg.from, newText: String(newBody), at: new Date((msg.timestamp || 0) * 1000) };
}

/**
 * A contact deleted a message for everyone. whatsapp-web.js hands over the message in its revoked
 * state; the original id is on `protocolMessageKey` or on the captured original, when present.
 */
export function toRevokeEvent(msg: Message, original: Message | null | undefined, now: Date, options: MappingOptions): GatewayEvent | null {
  if (msg.fromMe || !mirrored(msg.from, options)) return null;
  const key = (original?.id ?? (msg as unknown as { protocolMessageKey?: { _serialized?: string } }).protocolMessageKey ?? msg.id) as { _serialized?: string };
  return { type: 'revoke', messageId: key._serialized ?? msg.id._serialized, chatId: msg.from, at: now };
}

/** A message key as whatsapp-web.js serialises it; `remote` is a string or a Wid, by version. */
interface RawKey {
  fromMe?: boolean;
  remote?: string | { _serialized?: string };
  _serialized?: string;
}

function widOf(remote: RawKey['remote']): string | undefined {
  return typeof remote === 'string' ? remote : remote?._serialized;
}

/** A contact reacted to a message; an empty emoji means the reaction was removed. */
export function toReactionEvent(reaction: Reaction, options: MappingOptions): GatewayEvent | null {
  const ownKey = reaction.id as unknown as RawKey | undefined;
  const parent = reaction.msgId as unknown as RawKey | undefined;
  const chatId = widOf(parent?.remote) ?? widOf(ownKey?.remote) ?? reaction.senderId;
  if (ownKey?.fromMe || !parent?._serialized || !mirrored(chatId, options)) return null;
  return { type: 'reaction', messageId: parent._serialized, chatId, from: reaction.senderId, emoji: reaction.reaction ?? '', at: new Date((reaction.timestamp || 0) * 1000) };
}
