import type { Message, Reaction } from 'whatsapp-web.js';
import type { Clock } from '../clock';
import type { GatewayEvent } from './gateway';
import type { WwebjsClient } from './wwebjs-client';
import { toAckLevel, toEditEvent, toInboundMessage, toPhoneMessage, toReactionEvent, toRevokeEvent } from './wwebjs-mapping';

/**
 * whatsapp-web.js's message events as the gateway's domain events: new messages, what our account
 * sends other than through the app (from the phone), delivery acks,
 * edits, deletions for everyone and reactions (groups only when allowed). `only` wraps each handler
 * so a replaced client's late events are dropped.
 */
export function wireMessageEvents(
  client: WwebjsClient,
  only: <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void,
  emit: (event: GatewayEvent) => void,
  options: { allowGroups: boolean; clock: Clock; isOwn: (messageId: string) => Promise<boolean>; aliasOf: (id: string) => Promise<string | undefined> },
): void {
  const groups = { allowGroups: options.allowGroups };
  // A contact's edits, deletions and reactions wait behind their messages' alias lookup (cached after
  // the first), so none overtakes the message it is about.
  const emitIf = (event: GatewayEvent | null) => {
    if (event) void options.aliasOf('chatId' in event ? event.chatId : '').then(only(() => emit(event)));
  };
  // A sender's messages wait for the same lookup (cached after the first), so they keep their order.
  client.on('message', only((msg: Message) => {
    const message = toInboundMessage(msg, groups);
    if (message) void options.aliasOf(message.from).then((alias) => only(() => emit({ type: 'message', message: alias ? { ...message, alias } : message }))());
  }));
  // message_create fires for everything our account writes, this app's own sends included.
  client.on('message_create', only((msg: Message) => {
    const message = toPhoneMessage(msg, groups);
    // Judged once the app's sends in flight have returned; by then the client may have been
    // replaced, so the emit goes through `only` too.
    if (message) void options.isOwn(message.id).then((own) => own || only(() => emit({ type: 'sent_from_phone', message }))());
  }));
  client.on('message_ack', only((msg: Message, ack: number) => emit({ type: 'ack', messageId: msg.id._serialized, ack: toAckLevel(ack as never) })));
  client.on('message_edit', only((msg: Message, newBody: string) => emitIf(toEditEvent(msg, newBody, groups))));
  client.on('message_revoke_everyone', only((msg: Message, original?: Message | null) => emitIf(toRevokeEvent(msg, original, options.clock(), groups))));
  client.on('message_reaction', only((reaction: Reaction) => emitIf(toReactionEvent(reaction, groups))));
}
