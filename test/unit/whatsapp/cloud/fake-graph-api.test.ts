import { buildWebhook, FakeGraphApi, inboundMessage, signWebhook, statusUpdate } from '../../../support/fake-graph-api';
import { readWebhook } from '../../../../src/whatsapp/cloud/webhook-payload';
import { verifyWebhookSignature } from '../../../../src/whatsapp/cloud/webhook-signature';
import { classifySendError } from '../../../../src/whatsapp/cloud/send-errors';

const graph = new FakeGraphApi({ token: 'T0KEN', version: 'v23.0', phoneNumberId: '111', wabaId: '222' });
beforeAll(() => graph.start());
afterAll(() => graph.close());
beforeEach(() => graph.reset());

/** The parts of Graph answers these tests read (each answer has some of them). */
interface GraphAnswer {
  error: { code: number; message: string; error_data?: { details?: string } };
  messages: Array<{ id: string }>;
  contacts: unknown;
  id: string;
  url: string;
}

async function call(path: string, init: { method?: string; body?: unknown; token?: string | null; form?: FormData } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? 'T0KEN'}`;
  let body: string | FormData | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(`${graph.origin}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, ...(body ? { body } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as GraphAnswer };
}
const text = (to: string, bodyText: string) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: bodyText } });

describe('the fake Graph API', () => {
  it('when a text is sent, then it answers Meta\'s shape with a wamid and records the send and the call', async () => {
    const res = await call('/v23.0/111/messages', { body: text('447911123456', 'Hello') });
    expect(res.status).toBe(200);
    const wamid = res.json.messages[0]!.id;
    expect(wamid).toMatch(/^wamid\./);
    expect(res.json.contacts).toEqual([{ input: '447911123456', wa_id: '447911123456' }]);
    expect(graph.sends).toEqual([{ wamid, to: '447911123456', type: 'text', body: text('447911123456', 'Hello') }]);
    expect(graph.calls).toMatchObject([{ method: 'POST', path: '/111/messages', status: 200 }]);
  });

  it.each([
    ['a wrong token', { token: 'nope' }, '/v23.0/111/messages', 401, 190],
    ['no token', { token: null }, '/v23.0/111/messages', 401, 190],
    ['another version', {}, '/v19.0/111/messages', 400, 2500],
    ['another phone number id', {}, '/v23.0/999/messages', 400, 100],
  ])('when the call has %s, then it is refused with a Graph error', async (_label, init, path, status, code) => {
    const res = await call(path, { ...init, body: text('447911123456', 'x') });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(graph.sends).toEqual([]);
  });

  it.each([
    ['a text over 4,096 characters', text('447911123456', 'x'.repeat(4097)), /at most 4096/],
    ['a `to` with a plus sign', text('+447911123456', 'x'), /digits only/],
    ['no messaging_product', { ...text('447911123456', 'x'), messaging_product: undefined }, /messaging_product/],
    ['an unknown media id', { messaging_product: 'whatsapp', to: '447911123456', type: 'image', image: { id: '404' } }, /media id 404 does not exist/],
    ['a caption on audio', { messaging_product: 'whatsapp', to: '447911123456', type: 'audio', audio: { link: 'https://example.com/a.ogg', caption: 'no' } }, /take no caption/],
  ])('when the send has %s, then it is refused with code 100 as Meta does', async (_label, body, why) => {
    const res = await call('/v23.0/111/messages', { body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(100);
    expect(`${res.json.error.message} ${res.json.error.error_data?.details ?? ''}`).toMatch(why);
    expect(graph.sends).toEqual([]);
  });

  it('when errors are scripted for the next two sends, then those fail with the code and the third goes through', async () => {
    graph.failSends({ code: 130429, details: 'Rate limit hit', retryAfter: '3' }, 2);
    const first = await call('/v23.0/111/messages', { body: text('447911123456', 'a') });
    expect(first.status).toBe(400);
    expect(classifySendError({ status: first.status, body: first.json, retryAfter: first.headers.get('retry-after') })).toMatchObject({ kind: 'rate_limited', code: 130429, retryAfterMs: 3000 });
    expect((await call('/v23.0/111/messages', { body: text('447911123456', 'b') })).json.error.code).toBe(130429);
    expect((await call('/v23.0/111/messages', { body: text('447911123456', 'c') })).status).toBe(200);
    expect(graph.sends.map((s) => (s.body.text as { body: string }).body)).toEqual(['c']);
  });

  it('when a dropped connection is scripted, then the send gets no answer', async () => {
    graph.failSends({ code: 0, drop: true });
    await expect(call('/v23.0/111/messages', { body: text('447911123456', 'a') })).rejects.toThrow();
    expect(graph.sends).toEqual([]);
  });

  it('when a message is marked read, then it answers success and records it (scripted send errors do not apply)', async () => {
    graph.failSends({ code: 131047 });
    const res = await call('/v23.0/111/messages', { body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1' } });
    expect(res.json).toEqual({ success: true });
    expect(graph.reads).toEqual(['wamid.IN1']);
  });

  it('when media is uploaded, then its id can be sent, looked up, and downloaded only with the token', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'pic.png');
    const upload = await call('/v23.0/111/media', { form });
    const id = upload.json.id as string;
    expect(graph.media.get(id)).toEqual({ data: Buffer.from('PNGDATA'), mimetype: 'image/png', filename: 'pic.png' });
    expect((await call('/v23.0/111/messages', { body: { messaging_product: 'whatsapp', to: '447911123456', type: 'image', image: { id, caption: 'Hi' } } })).status).toBe(200);

    const info = await call(`/v23.0/${id}`);
    expect(info.json).toMatchObject({ mime_type: 'image/png', file_size: 7, id });
    const without = await fetch(info.json.url as string);
    expect(without.status).toBe(401);
    const withToken = await fetch(info.json.url as string, { headers: { authorization: 'Bearer T0KEN' } });
    expect(Buffer.from(await withToken.arrayBuffer()).toString()).toBe('PNGDATA');
    graph.expireMediaUrls();
    expect((await fetch(info.json.url as string, { headers: { authorization: 'Bearer T0KEN' } })).status).toBe(404);
  });

  it('when templates are listed, then they come in pages linked by paging.next', async () => {
    graph.templates = Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [] }));
    const names: string[] = [];
    let url: string | undefined = `${graph.origin}/v23.0/222/message_templates?limit=2`;
    while (url) {
      const res = await fetch(url, { headers: { authorization: 'Bearer T0KEN' } });
      const page = (await res.json()) as { data: Array<{ name: string }>; paging: { next?: string } };
      names.push(...page.data.map((t) => t.name));
      url = page.paging.next;
    }
    expect(names).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });
});

describe('the webhook builder', () => {
  it('when several entries with messages and statuses are built and signed, then the app side verifies and reads them all', () => {
    const body = buildWebhook({
      entries: [
        { changes: [{ messages: [inboundMessage('447911123456', 'text', { body: 'one' }), inboundMessage('447911123456', 'text', { body: 'two' })], names: { '447911123456': 'Ana' } }] },
        { changes: [{ statuses: [statusUpdate('wamid.X', 'read', '447911123456'), statusUpdate('wamid.X', 'delivered', '447911123456')] }] },
      ],
    });
    const raw = Buffer.from(JSON.stringify(body));
    expect(verifyWebhookSignature(raw, signWebhook(raw, 's3cret'), 's3cret')).toBe(true);
    const result = readWebhook(JSON.parse(raw.toString()), { downloadMedia: async () => Buffer.alloc(0) });
    if (!result.ok) throw new Error(result.reason);
    expect(result.items.map((i) => (i.type === 'message' ? `${i.message.pushName}: ${i.message.content.kind === 'text' ? i.message.content.text : ''}` : i.type === 'ack' ? i.ack : i.type))).toEqual([
      'Ana: one',
      'Ana: two',
      'read',
      'device',
    ]);
  });
});
