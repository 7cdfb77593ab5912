import { describeVcard } from '../../../../src/bridge/inbound/format-inbound';
import { readWebhook, type WebhookItem } from '../../../../src/whatsapp/cloud/webhook-payload';

// Shaped like Meta's webhook reference samples (messages, status, errors, reaction, unsupported,
// user_preferences, message_template_status_update).
const WABA = '102290129340398';
const PHONE_ID = '106540352242922';
const metadata = { display_phone_number: '15550783881', phone_number_id: PHONE_ID };

function messagesChange(value: Record<string, unknown>) {
  return { field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } };
}
function envelope(...entries: Array<{ id?: string; changes: unknown[] }>) {
  return { object: 'whatsapp_business_account', entry: entries.map((e) => ({ id: e.id ?? WABA, changes: e.changes })) };
}
function inbound(type: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { from: '16505551234', id: `wamid.${type}`, timestamp: '1749416383', type, ...body, ...extra };
}
const contacts = [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }];

const downloads: string[] = [];
const deps = {
  downloadMedia: async (id: string) => {
    downloads.push(id);
    return Buffer.from(`bytes of ${id}`);
  },
};

function read(body: unknown): WebhookItem[] {
  const result = readWebhook(body, deps);
  if (!result.ok) throw new Error(result.reason);
  return result.items;
}
function onlyMessage(message: Record<string, unknown>) {
  const items = read(envelope({ changes: [messagesChange({ contacts, messages: [message] })] }));
  expect(items).toHaveLength(1);
  const item = items[0]!;
  if (item.type !== 'message') throw new Error(`expected a message, got ${item.type}`);
  return item.message;
}

describe('reading a Cloud API webhook', () => {
  it('when a text arrives, then it maps to the app chat id form, with push name, time and ids', () => {
    const items = read(envelope({ changes: [messagesChange({ contacts, messages: [inbound('text', { text: { body: 'Hello there' } })] })] }));
    expect(items).toEqual([
      {
        type: 'message',
        wabaId: WABA,
        phoneNumberId: PHONE_ID,
        message: { id: 'wamid.text', from: '16505551234@c.us', pushName: 'Sheena Nelson', content: { kind: 'text', text: 'Hello there' }, at: new Date(1749416383 * 1000) },
      },
    ]);
  });

  it('when one POST has several entries, changes and messages, then every one is read, in order', () => {
    const body = envelope(
      { changes: [messagesChange({ contacts, messages: [inbound('text', { text: { body: 'one' } }, { id: 'w1' }), inbound('text', { text: { body: 'two' } }, { id: 'w2' })] })] },
      {
        id: '999',
        changes: [
          messagesChange({ messages: [inbound('text', { text: { body: 'three' } }, { id: 'w3', from: '447911123456' })] }),
          messagesChange({ messages: [inbound('text', { text: { body: 'four' } }, { id: 'w4' })] }),
        ],
      },
    );
    const items = read(body);
    expect(items.map((i) => (i.type === 'message' ? [i.wabaId, i.message.id, i.message.from] : i.type))).toEqual([
      [WABA, 'w1', '16505551234@c.us'],
      [WABA, 'w2', '16505551234@c.us'],
      ['999', 'w3', '447911123456@c.us'],
      ['999', 'w4', '16505551234@c.us'],
    ]);
  });

  it('when the sender is not in contacts[], then there is no push name', () => {
    const items = read(envelope({ changes: [messagesChange({ messages: [inbound('text', { text: { body: 'x' } })] })] }));
    expect(items[0]).toMatchObject({ type: 'message' });
    expect((items[0] as Extract<WebhookItem, { type: 'message' }>).message).not.toHaveProperty('pushName');
  });

  it('when a message replies to another, then context.id becomes quoted', () => {
    expect(onlyMessage(inbound('text', { text: { body: 'yes' } }, { context: { from: '15550783881', id: 'wamid.ours' } })).quoted).toEqual({ id: 'wamid.ours' });
  });

  it.each([
    ['image', { id: 'm-img', mime_type: 'image/jpeg', sha256: 'abc', caption: 'Look' }, { mimetype: 'image/jpeg', caption: 'Look' }],
    ['audio', { id: 'm-aud', mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', voice: true }, { mimetype: 'audio/ogg; codecs=opus' }],
    ['video', { id: 'm-vid', mime_type: 'video/mp4', sha256: 'abc' }, { mimetype: 'video/mp4' }],
    ['document', { id: 'm-doc', mime_type: 'application/pdf', sha256: 'abc', filename: 'invoice.pdf', caption: 'Invoice' }, { mimetype: 'application/pdf', filename: 'invoice.pdf', caption: 'Invoice' }],
    ['sticker', { id: 'm-stk', mime_type: 'image/webp', sha256: 'abc', animated: false }, { mimetype: 'image/webp' }],
  ])('when %s media arrives, then it maps to media whose fetch downloads that media id', async (type, body, expected) => {
    const message = onlyMessage(inbound(type, { [type]: body }));
    expect(message.content).toMatchObject({ kind: 'media', ...expected });
    if (message.content.kind !== 'media') throw new Error('not media');
    downloads.length = 0;
    await expect(message.content.fetch()).resolves.toEqual(Buffer.from(`bytes of ${body.id}`));
    expect(downloads).toEqual([body.id]);
  });

  it('when reading a webhook, then no media is downloaded until fetch is called', () => {
    downloads.length = 0;
    onlyMessage(inbound('image', { image: { id: 'm1', mime_type: 'image/png' } }));
    expect(downloads).toEqual([]);
  });

  it('when a location arrives, then it maps with its coordinates, name and address', () => {
    expect(onlyMessage(inbound('location', { location: { latitude: 38.72, longitude: -9.14, name: 'Office', address: 'Rua A, Lisboa' } })).content).toEqual({
      kind: 'location', latitude: 38.72, longitude: -9.14, name: 'Office', address: 'Rua A, Lisboa',
    });
  });

  it('when contacts are shared, then each becomes a vCard 3.0 with escaped text that the app can describe', () => {
    const content = onlyMessage(
      inbound('contacts', {
        contacts: [
          {
            name: { formatted_name: 'Lima, Ana; Jr', first_name: 'Ana', last_name: 'Lima' },
            phones: [{ phone: '+44 7911 123456', type: 'CELL', wa_id: '447911123456' }],
            emails: [{ email: 'ana@example.com', type: 'WORK' }],
            org: { company: 'Acme\nLtd', title: 'Buyer' },
          },
          { name: { first_name: 'Bo' }, phones: [{ phone: '+1 650 555 0000' }] },
        ],
      }),
    ).content;
    if (content.kind !== 'contact_card') throw new Error('not a contact card');
    expect(content.vcards).toHaveLength(2);
    const [ana, bo] = content.vcards as [string, string];
    expect(ana.split('\r\n')).toEqual([
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Lima;Ana;;;',
      'FN:Lima\\, Ana\\; Jr',
      'ORG:Acme\\nLtd',
      'TITLE:Buyer',
      'TEL;TYPE=CELL;waid=447911123456:+44 7911 123456',
      'EMAIL;TYPE=WORK:ana@example.com',
      'END:VCARD',
    ]);
    expect(describeVcard(bo)).toBe('Bo, +1 650 555 0000');
  });

  it.each([
    ['a reply button tap', 'interactive', { interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes, confirm' } } }, 'Yes, confirm'],
    ['a list choice', 'interactive', { interactive: { type: 'list_reply', list_reply: { id: 'r2', title: 'Tuesday', description: 'Afternoon' } } }, 'Tuesday'],
    ['a template quick-reply tap', 'button', { button: { text: 'Stop promotions', payload: 'STOP_PROMO' } }, 'Stop promotions'],
  ])('when %s arrives, then it maps to text with what the person tapped', (_label, type, body, text) => {
    expect(onlyMessage(inbound(type, body)).content).toEqual({ kind: 'text', text });
  });

  it.each([
    ['an unsupported message with its subtype', inbound('unsupported', { unsupported: { type: 'edit' }, errors: [{ code: 131051, title: 'Message type unknown' }] }), '[unsupported message type: edit]'],
    ['an unsupported message without a body', inbound('unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }), '[unsupported message type: unknown]'],
    ['a type this app does not know', inbound('order', { order: { catalog_id: '1', product_items: [] } }), '[unsupported message type: order]'],
    ['an interactive reply of another kind', inbound('interactive', { interactive: { type: 'nfm_reply', nfm_reply: {} } }), '[unsupported message type: interactive nfm_reply]'],
  ])('when %s arrives, then it shows as a readable placeholder', (_label, message, text) => {
    expect(onlyMessage(message).content).toEqual({ kind: 'text', text });
  });

  it('when a reaction arrives, and then its removal (without emoji), then both are reaction items, the removal with ""', () => {
    const items = read(
      envelope({
        changes: [
          messagesChange({
            contacts,
            messages: [
              inbound('reaction', { reaction: { message_id: 'wamid.ours', emoji: '👍' } }, { id: 'r1' }),
              inbound('reaction', { reaction: { message_id: 'wamid.ours' } }, { id: 'r2' }),
              inbound('reaction', { reaction: { message_id: 'wamid.ours', emoji: '' } }, { id: 'r3' }),
            ],
          }),
        ],
      }),
    );
    expect(items.map((i) => (i.type === 'reaction' ? [i.id, i.messageId, i.chatId, i.emoji] : i.type))).toEqual([
      ['r1', 'wamid.ours', '16505551234@c.us', '👍'],
      ['r2', 'wamid.ours', '16505551234@c.us', ''],
      ['r3', 'wamid.ours', '16505551234@c.us', ''],
    ]);
  });

  it('when statuses arrive out of order, then each becomes an ack item with its own time, in the order received', () => {
    const status = (status: string, timestamp: string, extra: Record<string, unknown> = {}) => ({ id: 'wamid.sent1', status, timestamp, recipient_id: '16505551234', ...extra });
    const items = read(envelope({ changes: [messagesChange({ statuses: [status('read', '1750000300'), status('sent', '1750000100'), status('delivered', '1750000200')] })] }));
    expect(items).toEqual(
      [['read', 300], ['server', 100], ['device', 200]].map(([ack, t]) => ({
        type: 'ack', wabaId: WABA, phoneNumberId: PHONE_ID, messageId: 'wamid.sent1', chatId: '16505551234@c.us', ack, at: new Date((1750000000 + (t as number)) * 1000),
      })),
    );
  });

  it('when a status is failed, then the ack is error with the first error code, title and details', () => {
    const items = read(
      envelope({
        changes: [
          messagesChange({
            statuses: [
              {
                id: 'wamid.f', status: 'failed', timestamp: '1750000000', recipient_id: '16505551234',
                errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed' } }],
              },
            ],
          }),
        ],
      }),
    );
    expect(items[0]).toMatchObject({ type: 'ack', ack: 'error', error: { code: 131047, title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed' } });
  });

  it('when a status has an unknown value, then it is an ignored item, not a failure', () => {
    expect(read(envelope({ changes: [messagesChange({ statuses: [{ id: 'w', status: 'warning', timestamp: '1', recipient_id: '1' }] })] }))).toEqual([
      { type: 'ignored', wabaId: WABA, field: 'messages', reason: 'status warning' },
    ]);
  });

  it('when value.errors[] carries an account-level error, then it becomes an error item', () => {
    const errors = [{ code: 130429, title: 'Rate limit hit', message: 'Rate limit hit', error_data: { details: 'too many messages' }, href: '/docs' }];
    expect(read(envelope({ changes: [messagesChange({ errors })] }))).toEqual([
      { type: 'error', wabaId: WABA, phoneNumberId: PHONE_ID, error: { code: 130429, title: 'Rate limit hit', details: 'too many messages' } },
    ]);
  });

  it('when a user stops and resumes marketing messages, then marketing preference items come out', () => {
    const prefs = [
      { wa_id: '16505551234', detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: 1731705721 },
      { wa_id: '16505551234', detail: 'User requested to resume marketing messages', category: 'marketing_messages', value: 'resume', timestamp: 1731705800 },
    ];
    const items = read(envelope({ changes: [{ field: 'user_preferences', value: { messaging_product: 'whatsapp', metadata, contacts: [{ wa_id: '16505551234' }], user_preferences: prefs } }] }));
    expect(items).toEqual([
      { type: 'marketing_preference', wabaId: WABA, phoneNumberId: PHONE_ID, chatId: '16505551234@c.us', preference: 'stop', detail: 'User requested to stop marketing messages', at: new Date(1731705721000) },
      { type: 'marketing_preference', wabaId: WABA, phoneNumberId: PHONE_ID, chatId: '16505551234@c.us', preference: 'resume', detail: 'User requested to resume marketing messages', at: new Date(1731705800000) },
    ]);
  });

  it('when a template status update arrives, then it becomes a template status item', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA,
          time: 1739321024,
          changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1689556908129832, message_template_name: 'order_confirmation', message_template_language: 'en_US', reason: 'NONE', message_template_category: 'UTILITY' } }],
        },
      ],
    };
    expect(read(body)).toEqual([
      { type: 'template_status', wabaId: WABA, templateId: '1689556908129832', name: 'order_confirmation', language: 'en_US', event: 'APPROVED', category: 'UTILITY', reason: 'NONE', at: new Date(1739321024000) },
    ]);
  });

  it('when a change is for a field this app does not handle, then it is an ignored item and the rest is read', () => {
    const items = read(envelope({ changes: [{ field: 'account_alerts', value: { anything: true } }, messagesChange({ messages: [inbound('text', { text: { body: 'after' } })] })] }));
    expect(items.map((i) => i.type)).toEqual(['ignored', 'message']);
  });

  it('when Meta adds fields we do not read, then the payload is still accepted', () => {
    const message = { ...inbound('text', { text: { body: 'hi', new_field: 1 } }), brand_new: { x: 1 } };
    const body = { ...envelope({ changes: [{ ...messagesChange({ contacts: [{ ...contacts[0], identity_key_hash: 'h' }], messages: [message] }), extra: 2 }] }), surprise: true };
    expect(read(body)).toHaveLength(1);
  });

  it.each([
    ['not an object', 'hello', /\(body\)/],
    ['another object kind', { object: 'page', entry: [] }, /object/],
    ['a text without its body', envelope({ changes: [messagesChange({ messages: [inbound('text', {})] })] }), /entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.text/],
    ['a message without id', envelope({ changes: [messagesChange({ messages: [{ from: '1', timestamp: '1', type: 'text', text: { body: 'x' } }] })] }), /messages\[0\]\.id/],
    ['a sender that is not a WhatsApp id', envelope({ changes: [messagesChange({ messages: [inbound('text', { text: { body: 'x' } }, { from: 'abc' })] })] }), /messages\[0\]\.from: expected a WhatsApp id/],
    ['a timestamp that is not unix seconds', envelope({ changes: [messagesChange({ messages: [inbound('text', { text: { body: 'x' } }, { timestamp: 'yesterday' })] })] }), /timestamp: expected unix seconds/],
    ['media without its id', envelope({ changes: [messagesChange({ messages: [inbound('image', { image: { mime_type: 'image/png' } })] })] }), /messages\[0\]\.image\.id/],
    ['a second entry with no phone number id', envelope({ changes: [] }, { changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1' } } }] }), /entry\[1\]\.changes\[0\]\.value\.metadata\.phone_number_id/],
    ['a status without its message id', envelope({ changes: [messagesChange({ statuses: [{ status: 'sent', timestamp: '1', recipient_id: '1' }] })] }), /statuses\[0\]\.id/],
  ])('when the payload has %s, then it is rejected with a reason naming where', (_label, body, reason) => {
    const result = readWebhook(body, deps);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^malformed webhook: /);
    expect(result.reason).toMatch(reason);
  });
});
