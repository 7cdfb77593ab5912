import type { Message, Reaction } from 'whatsapp-web.js';
import { toAckLevel, toEditEvent, toInboundMessage, toPhoneMessage, toReactionEvent, toRevokeEvent } from '../../../src/whatsapp/wwebjs-mapping';

// The library's own Message class, fed raw data the way whatsapp-web.js receives it from WhatsApp Web.
const WMessage = require('whatsapp-web.js/src/structures/Message') as new (client: unknown, data: object) => Message;

const WReaction = require('whatsapp-web.js/src/structures/Reaction') as new (client: unknown, data: object) => Reaction;

const downloads: string[] = [];
const client = {};

function raw(overrides: Record<string, unknown>) {
  const remote = (overrides.from as string | undefined) ?? '447911123456@c.us';
  return {
    id: { fromMe: false, remote, id: 'ABCDEF123', _serialized: `false_${remote}_ABCDEF123` },
    type: 'chat',
    body: 'Hello',
    t: 1795600000,
    from: remote,
    to: '441234567890@c.us',
    notifyName: 'Ana Lima',
    ack: 1,
    ...overrides,
  };
}

function message(overrides: Record<string, unknown>): Message {
  const msg = new WMessage(client, raw(overrides));
  (msg as unknown as { downloadMedia: () => Promise<unknown> }).downloadMedia = async () => {
    downloads.push(msg.id._serialized);
    return { mimetype: 'image/jpeg', data: Buffer.from('JPEGBYTES').toString('base64') };
  };
  return msg;
}

const options = { allowGroups: false };

describe('whatsapp-web.js messages as domain messages', () => {
  it('when a text arrives from a @c.us id, then it maps with its id, sender, name and time', () => {
    expect(toInboundMessage(message({}), options)).toEqual({
      id: 'false_447911123456@c.us_ABCDEF123',
      from: '447911123456@c.us',
      pushName: 'Ana Lima',
      content: { kind: 'text', text: 'Hello' },
      at: new Date(1795600000 * 1000),
    });
  });

  it('when the sender has a @lid id, then the id is kept exactly as it arrived', () => {
    expect(toInboundMessage(message({ from: '123456789012345@lid' }), options)?.from).toBe('123456789012345@lid');
  });

  it('when an image arrives, then it maps to media with type, name, size and caption, fetched on demand', async () => {
    const msg = message({ type: 'image', directPath: '/v/t62', caption: 'my receipt', mimetype: 'image/jpeg', size: 9, filename: 'r.jpg' });
    const mapped = toInboundMessage(msg, options);
    expect(mapped?.content).toMatchObject({ kind: 'media', mimetype: 'image/jpeg', size: 9, filename: 'r.jpg', caption: 'my receipt' });
    expect(downloads).not.toContain(msg.id._serialized);
    const content = mapped?.content as { fetch(): Promise<Buffer> };
    expect((await content.fetch()).toString()).toBe('JPEGBYTES');
  });

  it('when a location arrives, then it maps to coordinates with its name and address', () => {
    const mapped = toInboundMessage(message({ type: 'location', body: '', lat: 38.7223, lng: -9.1393, loc: 'Our shop\nRua Augusta 1, Lisboa' }), options);
    expect(mapped?.content).toEqual({ kind: 'location', latitude: 38.7223, longitude: -9.1393, name: 'Our shop', address: 'Rua Augusta 1, Lisboa' });
  });

  it('when a contact card arrives, then its vCard text is kept', () => {
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Bea\nTEL:+351912345678\nEND:VCARD';
    expect(toInboundMessage(message({ type: 'vcard', body: vcard }), options)?.content).toEqual({ kind: 'contact_card', vcards: [vcard] });
  });

  it('when a message quotes another, then the quoted id and text come along', () => {
    const mapped = toInboundMessage(message({ body: 'yes that one', quotedMsg: { body: 'Which order?' }, quotedStanzaID: 'QUOTED1' }), options);
    expect(mapped?.quoted).toEqual({ id: 'QUOTED1', text: 'Which order?' });
  });

  it('when a group message arrives, then it is ignored unless groups are allowed', () => {
    const group = message({ from: '120363000000000000@g.us', author: '447911123456@c.us' });
    expect(toInboundMessage(group, options)).toBeNull();
    expect(toInboundMessage(group, { allowGroups: true })?.from).toBe('120363000000000000@g.us');
  });

  it('when a status broadcast or our own message arrives, then it is ignored', () => {
    expect(toInboundMessage(message({ from: 'status@broadcast', id: { fromMe: false, remote: 'status@broadcast', id: 'S', _serialized: 'false_status@broadcast_S' } }), options)).toBeNull();
    expect(toInboundMessage(message({ id: { fromMe: true, remote: '447911123456@c.us', id: 'M', _serialized: 'true_447911123456@c.us_M' } }), options)).toBeNull();
  });

  it('when an unsupported kind arrives, then it still shows as text rather than vanishing', () => {
    expect(toInboundMessage(message({ type: 'poll_creation', body: '', pollName: 'Best time?' }), options)?.content).toEqual({
      kind: 'text',
      text: 'Best time?\n_(WhatsApp poll_creation message)_',
    });
  });

  it('when acks arrive, then the library’s numbers map to delivery levels', () => {
    expect([-1, 0, 1, 2, 3, 4].map((n) => toAckLevel(n as never))).toEqual(['error', 'pending', 'server', 'device', 'read', 'played']);
  });

  it('when a contact edits a message, then an edit event carries the id and the new text; our own edits are not echoed', () => {
    expect(toEditEvent(message({ body: 'Helo' }), 'Hello again', options)).toEqual({
      type: 'edit',
      messageId: 'false_447911123456@c.us_ABCDEF123',
      chatId: '447911123456@c.us',
      newText: 'Hello again',
      at: new Date(1795600000 * 1000),
    });
    const mine = message({ id: { fromMe: true, remote: '447911123456@c.us', id: 'OUT1', _serialized: 'true_447911123456@c.us_OUT1' } });
    expect(toEditEvent(mine, 'x', options)).toBeNull();
    expect(toEditEvent(message({ from: '120363000000000000@g.us' }), 'x', options)).toBeNull();
  });

  it('when a contact deletes a message for everyone, then the revoke names the original message', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const revoked = message({ type: 'revoked', body: '' });
    const original = message({ body: 'Hello' });
    expect(toRevokeEvent(revoked, original, now, options)).toEqual({ type: 'revoke', messageId: 'false_447911123456@c.us_ABCDEF123', chatId: '447911123456@c.us', at: now });
    // Without the captured original, the protocol key names it.
    const keyed = message({ type: 'revoked', body: '', protocolMessageKey: { fromMe: false, remote: '447911123456@c.us', id: 'ORIG9', _serialized: 'false_447911123456@c.us_ORIG9' } });
    expect(toRevokeEvent(keyed, undefined, now, options)).toMatchObject({ messageId: 'false_447911123456@c.us_ORIG9' });
  });

  it('when a contact reacts, then a reaction event names the message and the emoji; removals carry an empty emoji', () => {
    const reaction = (text: string, fromMe = false) =>
      new WReaction(client, {
        msgKey: { fromMe, remote: '447911123456@c.us', id: 'REACT1', _serialized: `${fromMe}_447911123456@c.us_REACT1` },
        parentMsgKey: { fromMe: true, remote: '447911123456@c.us', id: 'OUT1', _serialized: 'true_447911123456@c.us_OUT1' },
        reactionText: text,
        timestamp: 1795600100,
        senderUserJid: '447911123456@c.us',
        orphan: 0,
        read: false,
      });
    expect(toReactionEvent(reaction('👍'), options)).toEqual({
      type: 'reaction',
      messageId: 'true_447911123456@c.us_OUT1',
      chatId: '447911123456@c.us',
      from: '447911123456@c.us',
      emoji: '👍',
      at: new Date(1795600100 * 1000),
    });
    expect(toReactionEvent(reaction(''), options)).toMatchObject({ emoji: '' });
    expect(toReactionEvent(reaction('👍', true), options)).toBeNull();
  });

  describe('our messages sent from the phone', () => {
    /** One of ours in Ana's chat; whatsapp-web.js reads the sending device off the id's shape. */
    const ours = (id: string, overrides: Record<string, unknown> = {}) =>
      message({ id: { fromMe: true, remote: '447911123456@c.us', id, _serialized: `true_447911123456@c.us_${id}` }, from: '441234567890@c.us', to: '447911123456@c.us', body: 'On my way', ...overrides });

    it('when written by our account, from any device, then it is a message of the contact\'s chat (whether the app sent it is the gateway\'s to judge)', () => {
      for (const id of ['A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', '3A5F0C2B9D1E4F6A7B8C', '3EB0C431D5A9A3E7C4B1']) {
        expect(toPhoneMessage(ours(id), options)).toEqual({ id: `true_447911123456@c.us_${id}`, from: '447911123456@c.us', content: { kind: 'text', text: 'On my way' }, at: new Date(1795600000 * 1000) });
      }
    });

    it('when it was received, or is WhatsApp\'s own (a call log, a security notice), then it is not one', () => {
      expect(toPhoneMessage(message({}), options)).toBeNull();
      expect(toPhoneMessage(ours('A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', { type: 'call_log' }), options)).toBeNull();
      expect(toPhoneMessage(ours('A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', { type: 'e2e_notification' }), options)).toBeNull();
      expect(toPhoneMessage(ours('A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', { isNotification: true }), options)).toBeNull();
    });

    it('when written in a group or a status, then it is left out unless groups are allowed', () => {
      const inGroup = ours('A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', { to: '120363000000000000@g.us' });
      expect(toPhoneMessage(inGroup, options)).toBeNull();
      expect(toPhoneMessage(inGroup, { allowGroups: true })?.from).toBe('120363000000000000@g.us');
      expect(toPhoneMessage(ours('A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4', { to: 'status@broadcast' }), { allowGroups: true })).toBeNull();
    });
  });
});
