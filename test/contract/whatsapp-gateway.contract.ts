import { ALL_CAPABILITIES, GatewaySendError, type AckLevel, type GatewayEvent, type InboundMessage, type SentMessage, type WhatsAppGateway } from '../../src/whatsapp/gateway';
import { eventually } from '../support/bridge-helpers';

/** A message as WhatsApp holds it on the contact's side: what a send put there. */
export type HeldMessage = { id: string; kind: 'text'; text: string } | { id: string; kind: 'media'; mimetype: string; data: Buffer; caption?: string };

/**
 * One gateway driven from the WhatsApp side: what WhatsApp does to it (connect, deliver a message,
 * acknowledge, refuse, fail) and what WhatsApp received from it. Each adapter's test builds one over
 * its own stand-in for WhatsApp (a scripted whatsapp-web.js client, a fake Graph API over HTTP).
 */
export interface GatewayHarness {
  readonly gateway: WhatsAppGateway;
  /** A contact's chat id in the form the gateway takes and reports (`<digits>@c.us`). */
  readonly chatId: string;
  /**
   * What the gateway passes on when WhatsApp delivers the same inbound message twice: `once`, or
   * `twice_same_id` (the app dedupes on the id, so both are safe; the contract holds each to its word).
   */
  readonly duplicateInbound: 'once' | 'twice_same_id';
  /** `gateway.start()` plus whatever WhatsApp does for it to connect (a scripted `ready`; the Graph API answering its check). */
  start(): Promise<void>;
  /** An inbound text from `chatId` arrives as WhatsApp delivers it. */
  inboundText(message: { id: string; text: string; at: Date }): Promise<void>;
  /** An inbound picture from `chatId` arrives as WhatsApp delivers it. */
  inboundMedia(message: { id: string; data: Buffer; mimetype: string; caption: string; at: Date }): Promise<void>;
  /** WhatsApp acknowledges one of our messages as delivered to the phone, or read. */
  ack(messageId: string, level: 'delivered' | 'read'): Promise<void>;
  /** WhatsApp refuses the next send for good (not worth retrying). */
  refuseNextSend(): void;
  /** WhatsApp cannot be reached for the next send. */
  unreachableForNextSend(): void;
  /** What WhatsApp holds from us in a chat, oldest first (deleted messages left out). */
  received(chatId: string): HeldMessage[];
  /** Stops the gateway and frees what the harness holds. */
  close(): Promise<void>;
}

const ACK_ORDER: AckLevel[] = ['error', 'pending', 'server', 'device', 'read', 'played'];
/** WhatsApp's timestamps are whole seconds. */
const AT = new Date('2026-11-25T09:00:00Z');
const PICTURE = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/**
 * The behaviour every WhatsAppGateway owes the app, whichever WhatsApp it speaks to. Where a
 * gateway's `capabilities` says it cannot do something, the case checks that it says so and fails
 * plainly, instead of being skipped.
 */
export function gatewayContract(name: string, makeHarness: () => Promise<GatewayHarness>): void {
  describe(`the ${name} gateway keeps the WhatsAppGateway contract`, () => {
    let h: GatewayHarness;
    let events: GatewayEvent[];
    const messages = () => events.flatMap((e) => (e.type === 'message' ? [e.message] : [])) as InboundMessage[];
    const acksOf = (id: string) => events.flatMap((e) => (e.type === 'ack' && e.messageId === id ? [e.ack] : []));
    const texts = () => h.received(h.chatId).flatMap((m) => (m.kind === 'text' ? [m.text] : []));

    beforeEach(async () => {
      h = await makeHarness();
      events = [];
      h.gateway.on((e) => events.push(e));
    });
    afterEach(async () => {
      await h.close();
    });

    it('status(): not connected before start; connected after it, and listeners hear the state change', async () => {
      expect(h.gateway.status().state).not.toBe('connected');
      await h.start();
      expect(h.gateway.status()).toMatchObject({ state: 'connected', since: expect.any(Date) });
      const states = events.flatMap((e) => (e.type === 'state' ? [e.status.state] : []));
      expect(states.at(-1)).toBe('connected');
      expect(states.slice(0, -1)).not.toContain('connected');
    });

    it('sendText: WhatsApp receives exactly that text, once; the SentMessage carries its id and a time', async () => {
      await h.start();
      const sent: SentMessage = await h.gateway.sendText(h.chatId, 'Your order ships today.');
      expect(h.received(h.chatId)).toEqual([{ id: sent.id, kind: 'text', text: 'Your order ships today.' }]);
      expect(typeof sent.id).toBe('string');
      expect(sent.id.length).toBeGreaterThan(0);
      expect(sent.at).toBeInstanceOf(Date);
      expect(Number.isNaN(sent.at.getTime())).toBe(false);
    });

    it('options.check runs right before the send, and a throw from it stops the send unchanged: nothing reaches WhatsApp', async () => {
      await h.start();
      const seen: number[] = [];
      await h.gateway.sendText(h.chatId, 'first', { check: async () => void seen.push(h.received(h.chatId).length) });
      expect(seen).toEqual([0]);
      expect(texts()).toEqual(['first']);
      const refusal = new Error('opted out meanwhile');
      await expect(h.gateway.sendText(h.chatId, 'second', { check: () => Promise.reject(refusal) })).rejects.toBe(refusal);
      await expect(h.gateway.sendMedia(h.chatId, { mimetype: 'image/png', data: PICTURE }, { check: () => Promise.reject(refusal) })).rejects.toBe(refusal);
      expect(texts()).toEqual(['first']);
      expect(h.received(h.chatId)).toHaveLength(1);
    });

    it('a text over 4,096 characters arrives whole and in order (split only where WhatsApp needs it)', async () => {
      await h.start();
      const words = Array.from({ length: 1200 }, (_, i) => `w${String(i).padStart(4, '0')}`);
      const text = words.join(' ');
      expect(text.length).toBeGreaterThan(4096);
      const sent = await h.gateway.sendText(h.chatId, text);
      const held = h.received(h.chatId);
      // A split drops only the space it cut at: rejoined with one, the parts are the text.
      expect(texts().join(' ')).toBe(text);
      expect(held.at(-1)!.id).toBe(sent.id);
    });

    it('an inbound text is a message event with from, id, text and time', async () => {
      await h.start();
      await h.inboundText({ id: 'IN-1', text: 'Is my order on its way?', at: AT });
      await eventually(() => messages().length > 0, 'the message event');
      expect(messages()).toEqual([expect.objectContaining({ id: 'IN-1', from: h.chatId, content: { kind: 'text', text: 'Is my order on its way?' }, at: AT })]);
    });

    it('the same inbound message delivered twice is passed on as the harness says: once, or twice with the same id', async () => {
      await h.start();
      await h.inboundText({ id: 'IN-DUP', text: 'Hello?', at: AT });
      await h.inboundText({ id: 'IN-DUP', text: 'Hello?', at: AT });
      // Messages keep their order, so once the next one is heard any second copy would have been too.
      await h.inboundText({ id: 'IN-NEXT', text: 'Anyone there?', at: AT });
      await eventually(() => messages().some((m) => m.id === 'IN-NEXT'), 'the message after the duplicate');
      const ids = messages().map((m) => m.id);
      expect(ids).toEqual(h.duplicateInbound === 'once' ? ['IN-DUP', 'IN-NEXT'] : ['IN-DUP', 'IN-DUP', 'IN-NEXT']);
    });

    it('an inbound picture is a media message event whose bytes can be fetched', async () => {
      await h.start();
      await h.inboundMedia({ id: 'IN-PIC', data: PICTURE, mimetype: 'image/png', caption: 'the broken part', at: AT });
      await eventually(() => messages().length > 0, 'the media message event');
      const [message] = messages();
      expect(message).toMatchObject({ id: 'IN-PIC', from: h.chatId, at: AT, content: { kind: 'media', mimetype: 'image/png', caption: 'the broken part' } });
      if (message!.content.kind !== 'media') throw new Error('expected media');
      expect(await message!.content.fetch()).toEqual(PICTURE);
    });

    it('delivery acks for a sent message come as ack events that only move forward, ending at read', async () => {
      await h.start();
      const sent = await h.gateway.sendText(h.chatId, 'Tracking number: 42');
      await h.ack(sent.id, 'delivered');
      await h.ack(sent.id, 'read');
      await eventually(() => acksOf(sent.id).includes('read'), 'the read ack');
      const levels = acksOf(sent.id).map((a) => ACK_ORDER.indexOf(a));
      expect(acksOf(sent.id)).toContain('device');
      expect(levels).toEqual([...levels].sort((a, b) => a - b));
      expect(acksOf(sent.id).at(-1)).toBe('read');
    });

    it('WhatsApp unreachable: the send fails with a retryable kind, never rejected; the next send goes through', async () => {
      await h.start();
      h.unreachableForNextSend();
      const err = (await h.gateway.sendText(h.chatId, 'hello').catch((e: unknown) => e)) as GatewaySendError;
      expect(err).toBeInstanceOf(GatewaySendError);
      expect(['not_connected', 'unknown', 'rate_limited']).toContain(err.kind);
      expect(texts()).toEqual([]);
      await h.gateway.sendText(h.chatId, 'hello again');
      expect(texts()).toEqual(['hello again']);
    });

    // Not shared: "WhatsApp refuses the send → rejected". The Cloud API gateway decides by Meta's error
    // code (131026 → rejected); the whatsapp-web.js gateway maps every sendMessage throw to `unknown`
    // (it cannot tell a refusal from a page glitch), so the dispatcher retries it. Each adapter's own
    // behaviour is pinned in whatsapp-gateway.test.ts.

    it('sendMedia: WhatsApp receives the picture with its caption', async () => {
      await h.start();
      const sent = await h.gateway.sendMedia(h.chatId, { mimetype: 'image/png', filename: 'part.png', data: PICTURE, caption: 'the new part' });
      expect(h.received(h.chatId)).toEqual([{ id: sent.id, kind: 'media', mimetype: 'image/png', data: PICTURE, caption: 'the new part' }]);
    });

    it('edit: supported and the contact sees the new text, or declared unsupported and refused as rejected', async () => {
      await h.start();
      const sent = await h.gateway.sendText(h.chatId, 'See you at 3');
      if ((h.gateway.capabilities ?? ALL_CAPABILITIES).edit) {
        await h.gateway.edit(sent.id, 'See you at 4');
        expect(h.received(h.chatId)).toEqual([{ id: sent.id, kind: 'text', text: 'See you at 4' }]);
      } else {
        expect(h.gateway.capabilities?.edit).toBe(false);
        await expect(h.gateway.edit(sent.id, 'See you at 4')).rejects.toMatchObject({ name: 'GatewaySendError', kind: 'rejected' });
        expect(h.received(h.chatId)).toEqual([{ id: sent.id, kind: 'text', text: 'See you at 3' }]);
      }
    });

    it('revoke: supported and the message is gone from the chat, or declared unsupported and refused as rejected', async () => {
      await h.start();
      const sent = await h.gateway.sendText(h.chatId, 'Sent to the wrong person');
      if ((h.gateway.capabilities ?? ALL_CAPABILITIES).revoke) {
        await h.gateway.revoke(sent.id);
        expect(h.received(h.chatId)).toEqual([]);
      } else {
        expect(h.gateway.capabilities?.revoke).toBe(false);
        await expect(h.gateway.revoke(sent.id)).rejects.toMatchObject({ name: 'GatewaySendError', kind: 'rejected' });
        expect(h.received(h.chatId)).toHaveLength(1);
      }
    });

    it('history: supported and our sends and the inbound messages can be read back, or declared unsupported and read as empty', async () => {
      await h.start();
      const sent = await h.gateway.sendText(h.chatId, 'Anything else?');
      await h.inboundText({ id: 'IN-HIST', text: 'No, thanks', at: AT });
      await eventually(() => messages().length > 0, 'the message event');
      const since = new Date(AT.getTime() - 60_000);
      if ((h.gateway.capabilities ?? ALL_CAPABILITIES).history) {
        expect(await h.gateway.recentOwnMessages(h.chatId, 10)).toEqual([expect.objectContaining({ id: sent.id, text: 'Anything else?' })]);
        expect(await h.gateway.messagesSince(since, 10)).toEqual({ messages: [expect.objectContaining({ id: 'IN-HIST', from: h.chatId, content: { kind: 'text', text: 'No, thanks' } })], truncatedChats: 0 });
      } else {
        expect(h.gateway.capabilities?.history).toBe(false);
        expect(await h.gateway.recentOwnMessages(h.chatId, 10)).toEqual([]);
        expect(await h.gateway.messagesSince(since, 10)).toEqual({ messages: [], truncatedChats: 0 });
      }
    });
  });
}
