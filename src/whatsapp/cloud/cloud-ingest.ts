import type { Logger } from '../../logger';
import type { GatewayEvent } from '../gateway';
import type { ChatMemory } from './chat-memory';
import { classifySendError } from './send-errors';
import type { WebhookError, WebhookItem } from './webhook-payload';

export interface IngestDeps {
  emit: (event: GatewayEvent) => void;
  memory: ChatMemory;
  log: Logger;
  /** A template was approved, paused, rejected…: the catalogue is fetched again. */
  onTemplateStatus?: (item: Extract<WebhookItem, { type: 'template_status' }>) => void;
}

/** Turns a webhook's items into the port's events, in order. */
export function ingestItems(items: WebhookItem[], deps: IngestDeps): void {
  const { emit, memory, log } = deps;
  for (const item of items) {
    switch (item.type) {
      case 'message':
        memory.remember(item.message.from, item.message.id, true);
        emit({ type: 'message', message: item.message });
        break;
      case 'reaction':
        emit({ type: 'reaction', messageId: item.messageId, chatId: item.chatId, from: item.from, emoji: item.emoji, at: item.at });
        break;
      case 'ack':
        // Statuses arrive out of order and twice; the bridge's advanceAck only moves a reply forward.
        if (item.error) log.warn({ messageId: item.messageId, code: item.error.code, title: item.error.title }, 'WhatsApp reports a message as failed');
        emit({ type: 'ack', messageId: item.messageId, ack: item.ack, ...(item.ack === 'error' ? { reason: failureReason(item.error) } : {}) });
        break;
      case 'marketing_preference':
        emit({ type: 'marketing_preference', from: item.chatId, preference: item.preference, at: item.at });
        break;
      case 'error':
        log.warn({ code: item.error.code, title: item.error.title, details: item.error.details }, 'WhatsApp reported an error in a webhook');
        break;
      case 'template_status':
        log.info({ template: item.name, language: item.language, event: item.event, reason: item.reason }, 'WhatsApp template status changed');
        deps.onTemplateStatus?.(item);
        break;
      case 'ignored':
        log.debug({ field: item.field, reason: item.reason }, 'webhook item not acted on');
        break;
    }
  }
}

/** A `failed` status's error in the words a refused send gets (send-errors.ts, by code): the same reason in the thread. */
function failureReason(error: WebhookError | undefined): string {
  if (!error) return 'WhatsApp reported the message as not delivered, without saying why.';
  return classifySendError({ status: 400, body: { error: { code: error.code, error_data: { details: error.details } } } }).reason;
}
