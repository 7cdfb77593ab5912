import type { webApi } from '@slack/bolt';
import { startAckReactions } from '../../../src/bridge/outbound/ack-reactions';
import type { MessageRepository, StoredMessage } from '../../../src/domain/message';
import { createLogger } from '../../../src/logger';
import type { GatewayEvent } from '../../../src/whatsapp/gateway';
import { ChatMemory } from '../../../src/whatsapp/cloud/chat-memory';
import { ingestItems } from '../../../src/whatsapp/cloud/cloud-ingest';
import { eventually } from '../../support/bridge-helpers';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';

const logger = createLogger({ level: 'silent', pretty: false });

describe('a failed status that arrives later (Cloud API webhook)', () => {
  it('becomes an error ack carrying the plain reason for its code, from send-errors', () => {
    const events: GatewayEvent[] = [];
    const origin = { wabaId: 'w', phoneNumberId: 'p' };
    ingestItems(
      [
        { ...origin, type: 'ack', messageId: 'wamid.A', chatId: '447911123456@c.us', ack: 'error', at: new Date(), error: { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' } },
        { ...origin, type: 'ack', messageId: 'wamid.A', chatId: '447911123456@c.us', ack: 'device', at: new Date() },
      ],
      { emit: (e) => events.push(e), memory: new ChatMemory(), log: logger },
    );
    expect(events[0]).toEqual({ type: 'ack', messageId: 'wamid.A', ack: 'error', reason: expect.stringContaining('the number may not be on WhatsApp') });
    expect((events[0] as { reason: string }).reason).toContain('WhatsApp error 131026');
    expect(events[1]).toEqual({ type: 'ack', messageId: 'wamid.A', ack: 'device' });
  });

  it('posts "Not delivered to WhatsApp: <reason>" in the thread once, even when Meta sends the status twice', async () => {
    const gateway = new FakeWhatsAppGateway();
    const reply = { id: 'm1', direction: 'outbound', contactWaId: '447911123456@c.us', kind: 'text', slack: { channel: 'C1', ts: '1800000000.000009' } } as unknown as StoredMessage;
    let moved = false;
    // advanceAck is conditional: only the first failed ack moves the state.
    const messages = { advanceAck: async () => (moved ? null : ((moved = true), reply)) } as unknown as MessageRepository;
    const posts: Array<Record<string, unknown>> = [];
    const reactions: Array<Record<string, unknown>> = [];
    const client = { reactions: { add: async (a: Record<string, unknown>) => reactions.push(a) }, chat: { postMessage: async (a: Record<string, unknown>) => posts.push(a) } } as unknown as webApi.WebClient;
    const contacts = { findByWaId: async () => ({ slack: { channel: 'C1', threadTs: '1700000000.000001' } }) as never };
    const stop = startAckReactions({ gateway, messages, client, logger, contacts });
    const reason = 'The message could not be delivered: the number may not be on WhatsApp (WhatsApp error 131026).';
    gateway.emit({ type: 'ack', messageId: 'wamid.A', ack: 'error', reason });
    gateway.emit({ type: 'ack', messageId: 'wamid.A', ack: 'error', reason });
    await eventually(() => posts.length > 0, 'the note');
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts).toEqual([{ channel: 'C1', thread_ts: '1700000000.000001', text: `:warning: Not delivered to WhatsApp: ${reason}`, unfurl_links: false }]);
    expect(reactions).toHaveLength(1);
    stop();
  });

  it('posts nothing for a failure without a reason (the wwebjs gateway), only the reaction', async () => {
    const gateway = new FakeWhatsAppGateway();
    const reply = { id: 'm1', contactWaId: 'x@c.us', slack: { channel: 'C1', ts: '1.2' } } as unknown as StoredMessage;
    const messages = { advanceAck: async () => reply } as unknown as MessageRepository;
    const posts: unknown[] = [];
    const reactions: unknown[] = [];
    const client = { reactions: { add: async (a: unknown) => reactions.push(a) }, chat: { postMessage: async (a: unknown) => posts.push(a) } } as unknown as webApi.WebClient;
    const stop = startAckReactions({ gateway, messages, client, logger, contacts: { findByWaId: async () => ({ slack: { channel: 'C1', threadTs: '1.0' } }) as never } });
    gateway.emit({ type: 'ack', messageId: 'wamid.B', ack: 'error' });
    await eventually(() => reactions.length === 1, 'the reaction');
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts).toEqual([]);
    stop();
  });
});
