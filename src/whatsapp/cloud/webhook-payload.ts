import type { z } from 'zod';
import type { AckLevel, InboundContent, InboundMessage } from '../gateway';
import { toVcard } from './vcard';
import {
  envelopeSchema,
  isReadType,
  messagesValue,
  templateStatusValue,
  typeBodies,
  userPreferencesValue,
  type WebhookMessage,
} from './webhook-schema';

export { envelopeSchema, messagesValue, templateStatusValue, userPreferencesValue } from './webhook-schema';

/**
 * The Cloud API's `wa_id` (digits) as the chat id the app already uses: `<digits>@c.us`, the form
 * whatsapp-web.js gives for a phone number. Contacts, consent and conversations are keyed on it, so
 * they work unchanged on this gateway, and a number moving between gateways stays the same contact.
 */
export const chatIdOf = (id: string): string => (/^\d+$/.test(id) ? `${id}@c.us` : id);

export interface WebhookError {
  code: number;
  title?: string;
  details?: string;
}

interface Origin {
  /** `entry[].id`: the WhatsApp Business Account. */
  wabaId: string;
  /** `metadata.phone_number_id`: route on this, not on the display number. */
  phoneNumberId: string;
}

/** What one webhook POST says, in the app's terms, in the order of its entries and changes. */
export type WebhookItem =
  | (Origin & { type: 'message'; message: InboundMessage })
  /** A contact reacted to one of our messages; `emoji` is '' when the reaction was removed. */
  | (Origin & { type: 'reaction'; id: string; messageId: string; chatId: string; from: string; emoji: string; at: Date })
  /** A status for a message we sent; `at` is Meta's time for it (statuses arrive out of order). */
  | (Origin & { type: 'ack'; messageId: string; chatId: string; ack: AckLevel; at: Date; error?: WebhookError })
  /** A system, app or account level error (`value.errors[]`), not tied to one message. */
  | (Origin & { type: 'error'; error: WebhookError })
  /** The user stopped or resumed marketing messages in WhatsApp's own settings. */
  | (Origin & { type: 'marketing_preference'; chatId: string; preference: 'stop' | 'resume'; detail?: string; at: Date })
  | { type: 'template_status'; wabaId: string; templateId: string; name: string; language: string; event: string; category?: string; reason?: string; at?: Date }
  /** Something well-formed we do not act on (another field, an unknown status): for the log. */
  | { type: 'ignored'; wabaId: string; field: string; reason: string };

export type WebhookReadResult = { ok: true; items: WebhookItem[] } | { ok: false; reason: string };

export interface ReadWebhookDeps {
  /**
   * Downloads a media id's bytes. The URL behind a media id lives about five minutes, so the gateway
   * calls `fetch` of a media message as soon as it has the item.
   */
  downloadMedia(mediaId: string): Promise<Buffer>;
}

const ACKS: Record<string, AckLevel> = { sent: 'server', delivered: 'device', read: 'read', failed: 'error' };

/** Validates a webhook body and walks every entry, change, message and status in it (never only `[0]`). */
export function readWebhook(body: unknown, deps: ReadWebhookDeps): WebhookReadResult {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: describe(envelope.error) };
  const items: WebhookItem[] = [];
  for (const [e, entry] of envelope.data.entry.entries()) {
    for (const [c, change] of entry.changes.entries()) {
      const at = `entry[${e}].changes[${c}].value`;
      if (change.field === 'messages') {
        const value = messagesValue.safeParse(change.value);
        if (!value.success) return { ok: false, reason: describe(value.error, at) };
        items.push(...messageItems(entry.id, value.data, deps));
      } else if (change.field === 'user_preferences') {
        const value = userPreferencesValue.safeParse(change.value);
        if (!value.success) return { ok: false, reason: describe(value.error, at) };
        const origin = { wabaId: entry.id, phoneNumberId: value.data.metadata.phone_number_id };
        for (const p of value.data.user_preferences) {
          if (p.category === 'marketing_messages' && (p.value === 'stop' || p.value === 'resume')) {
            items.push({ ...origin, type: 'marketing_preference', chatId: chatIdOf(p.wa_id), preference: p.value, ...(p.detail ? { detail: p.detail } : {}), at: p.timestamp });
          } else {
            items.push({ type: 'ignored', wabaId: entry.id, field: change.field, reason: `preference ${p.category}=${p.value}` });
          }
        }
      } else if (change.field === 'message_template_status_update') {
        const value = templateStatusValue.safeParse(change.value);
        if (!value.success) return { ok: false, reason: describe(value.error, at) };
        const v = value.data;
        items.push({
          type: 'template_status',
          wabaId: entry.id,
          templateId: v.message_template_id,
          name: v.message_template_name,
          language: v.message_template_language,
          event: v.event,
          ...(v.message_template_category ? { category: v.message_template_category } : {}),
          ...(v.reason ? { reason: v.reason } : {}),
          ...(entry.time !== undefined ? { at: new Date(entry.time * 1000) } : {}),
        });
      } else {
        items.push({ type: 'ignored', wabaId: entry.id, field: change.field, reason: 'field not handled' });
      }
    }
  }
  return { ok: true, items };
}

function messageItems(wabaId: string, value: z.infer<typeof messagesValue>, deps: ReadWebhookDeps): WebhookItem[] {
  const origin = { wabaId, phoneNumberId: value.metadata.phone_number_id };
  const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
  const items: WebhookItem[] = [];
  for (const m of value.messages ?? []) {
    const from = chatIdOf(m.from);
    if (m.type === 'reaction') {
      const r = typeBodies.reaction.parse(m.reaction);
      items.push({ ...origin, type: 'reaction', id: m.id, messageId: r.message_id, chatId: from, from, emoji: r.emoji ?? '', at: m.timestamp });
      continue;
    }
    const pushName = names.get(m.from);
    const message: InboundMessage = { id: m.id, from, ...(pushName ? { pushName } : {}), content: contentOf(m, deps), at: m.timestamp };
    if (m.context?.id) message.quoted = { id: m.context.id };
    items.push({ ...origin, type: 'message', message });
  }
  for (const s of value.statuses ?? []) {
    const ack = ACKS[s.status];
    if (!ack) {
      items.push({ type: 'ignored', wabaId, field: 'messages', reason: `status ${s.status}` });
      continue;
    }
    const error = s.errors?.[0];
    items.push({ ...origin, type: 'ack', messageId: s.id, chatId: chatIdOf(s.recipient_id), ack, at: s.timestamp, ...(error ? { error: errorOf(error) } : {}) });
  }
  for (const error of value.errors ?? []) items.push({ ...origin, type: 'error', error: errorOf(error) });
  return items;
}

function contentOf(m: WebhookMessage, deps: ReadWebhookDeps): InboundContent {
  const unsupported = (what: string): InboundContent => ({ kind: 'text', text: `[unsupported message type: ${what}]` });
  if (!isReadType(m.type)) return unsupported(m.type);
  switch (m.type) {
    case 'text':
      return { kind: 'text', text: typeBodies.text.parse(m.text).body };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = typeBodies[m.type].parse(m[m.type]);
      return {
        kind: 'media',
        mimetype: media.mime_type,
        ...(media.filename ? { filename: media.filename } : {}),
        ...(media.caption ? { caption: media.caption } : {}),
        fetch: () => deps.downloadMedia(media.id),
      };
    }
    case 'location': {
      const l = typeBodies.location.parse(m.location);
      return { kind: 'location', latitude: l.latitude, longitude: l.longitude, ...(l.name ? { name: l.name } : {}), ...(l.address ? { address: l.address } : {}) };
    }
    case 'contacts':
      return { kind: 'contact_card', vcards: typeBodies.contacts.parse(m.contacts).map(toVcard) };
    case 'interactive': {
      const i = typeBodies.interactive.parse(m.interactive);
      const chosen = i.type === 'button_reply' ? i.button_reply : i.type === 'list_reply' ? i.list_reply : undefined;
      return chosen ? { kind: 'text', text: chosen.title } : unsupported(`interactive ${i.type}`);
    }
    case 'button': {
      const b = typeBodies.button.parse(m.button);
      return { kind: 'text', text: b.text || b.payload || '' };
    }
    case 'unsupported':
      return unsupported(typeBodies.unsupported.parse(m.unsupported ?? {}).type ?? 'unknown');
    case 'reaction':
      return unsupported('reaction'); // handled before; kept for the exhaustive switch
  }
}

function errorOf(e: { code: number; title?: string; message?: string; error_data?: { details?: string } }): WebhookError {
  const title = e.title ?? e.message;
  return { code: e.code, ...(title ? { title } : {}), ...(e.error_data?.details ? { details: e.error_data.details } : {}) };
}

function describe(error: z.ZodError, prefix?: string): string {
  const shown = error.issues.slice(0, 3).map((i) => {
    const path = [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
    return `${path || '(body)'}: ${i.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `malformed webhook: ${shown.join('; ')}${more}`;
}
