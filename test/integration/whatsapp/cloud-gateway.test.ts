import { createServer } from 'node:net';
import { createLogger } from '../../../src/logger';
import { CloudGateway, MEDIA_LIMITS } from '../../../src/whatsapp/cloud/cloud-gateway';
import type { CloudConfig } from '../../../src/whatsapp/cloud/cloud-config';
import { GatewaySendError, type GatewayEvent, type InboundMessage } from '../../../src/whatsapp/gateway';
import { eventually, manualClock } from '../../support/bridge-helpers';
import { buildWebhook, FakeGraphApi, inboundMessage } from '../../support/fake-graph-api';

const TOKEN = 'EAAG-test-token-0123456789';
const ANA = '447911123456';
const ANA_WA = `${ANA}@c.us`;

/** A port nothing listens on (bound, then closed). */
async function deadOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('the Cloud API gateway against a fake Graph API over HTTP (the WhatsAppGateway port)', () => {
  const graph = new FakeGraphApi({ token: TOKEN });
  const gateways: CloudGateway[] = [];
  beforeAll(() => graph.start());
  afterAll(() => graph.close());
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    graph.reset();
    graph.token = TOKEN;
  });

  function config(overrides: Partial<CloudConfig> = {}): CloudConfig {
    return {
      phoneNumberId: graph.phoneNumberId,
      wabaId: graph.wabaId,
      token: TOKEN,
      appSecret: 'test-app-secret-0123456789',
      verifyToken: 'test-verify-token-0123456789',
      apiUrl: graph.origin,
      apiVersion: 'v23.0',
      sendPerSecond: 80,
      ...overrides,
    };
  }

  async function gateway(overrides: Partial<CloudConfig> = {}, extra: Partial<ConstructorParameters<typeof CloudGateway>[0]> = {}) {
    const g = new CloudGateway({ config: config(overrides), clock: () => new Date(), logger: createLogger({ level: 'silent', pretty: false }), backoff: { baseMs: 20, maxMs: 40 }, ...extra });
    gateways.push(g);
    const events: GatewayEvent[] = [];
    g.on((e) => events.push(e));
    await g.start();
    return { g, events };
  }

  describe('start()', () => {
    it('when the token may use the phone number, then the state is connected', async () => {
      const { g, events } = await gateway();
      expect(g.status()).toMatchObject({ state: 'connected', detail: 'Test Business · 15550783881' });
      expect(events.map((e) => e.type === 'state' && e.status.state)).toEqual(['starting', 'connected']);
      expect(graph.calls[0]).toMatchObject({ method: 'GET', path: `/${graph.phoneNumberId}`, authorization: `Bearer ${TOKEN}` });
    });

    it('when the token is refused (190), then it does not throw: unreachable, naming WHATSAPP_CLOUD_TOKEN and not the token; and it connects once the token works', async () => {
      graph.token = 'EAAG-another-token-999999';
      const { g } = await gateway();
      expect(g.status().state).toBe('unreachable');
      expect(g.status().detail).toContain('WHATSAPP_CLOUD_TOKEN');
      expect(g.status().detail).not.toContain(TOKEN);
      graph.token = TOKEN;
      await eventually(() => g.status().state === 'connected', 'connected after a retry');
    });

    it('when the Graph API cannot be reached, then it does not throw: unreachable, naming WHATSAPP_CLOUD_API_URL', async () => {
      const { g } = await gateway({ apiUrl: await deadOrigin() });
      expect(g.status().state).toBe('unreachable');
      expect(g.status().detail).toContain('WHATSAPP_CLOUD_API_URL');
    });
  });

  describe('sendText()', () => {
    it('when the text is over 4,096 characters, then it goes as parts in order, the first quoting, and the last part’s id comes back', async () => {
      const { g } = await gateway();
      const text = `${'a'.repeat(4000)} ${'b'.repeat(4000)} ${'c'.repeat(100)}`;
      const sent = await g.sendText(ANA_WA, text, { quotedMessageId: 'wamid.QUOTED' });
      expect(graph.sends.map((s) => (s.body.text as { body: string }).body)).toEqual(['a'.repeat(4000), 'b'.repeat(4000), 'c'.repeat(100)]);
      expect(graph.sends.map((s) => s.to)).toEqual([ANA, ANA, ANA]);
      expect(graph.sends[0]!.body.context).toEqual({ message_id: 'wamid.QUOTED' });
      expect(graph.sends[1]!.body.context).toBeUndefined();
      expect(sent.id).toBe(graph.sends[2]!.wamid);
    });

    it('when sends wait for the rate, then the check runs after the wait and right before the HTTP call; a refusing check sends nothing', async () => {
      const time = manualClock();
      const waits: number[] = [];
      const sleep = async (ms: number) => {
        waits.push(ms);
        time.advance(ms);
      };
      const { g } = await gateway({ sendPerSecond: 1 }, { clock: time.clock, sleep });
      const seen: Array<{ at: number; calls: number }> = [];
      const check = async () => void seen.push({ at: time.clock().getTime(), calls: graph.sends.length });
      const start = time.clock().getTime();
      await g.sendText(ANA_WA, 'one', { check });
      await g.sendText(ANA_WA, 'two', { check });
      expect(seen).toEqual([
        { at: start, calls: 0 },
        { at: start + 1000, calls: 1 },
      ]);
      expect(waits).toEqual([1000]);
      const refusal = new Error('opted out meanwhile');
      await expect(g.sendText(ANA_WA, 'three', { check: async () => Promise.reject(refusal) })).rejects.toBe(refusal);
      expect(graph.sends.map((s) => (s.body.text as { body: string }).body)).toEqual(['one', 'two']);
    });

    it.each([
      [130429, 'rate_limited', /Too many messages were sent from this number/],
      [131056, 'rate_limited', /Too many messages were sent to this customer/],
      [131047, 'rejected', /More than 24 hours have passed/],
      [131026, 'rejected', /could not be delivered/],
      [131049, 'rejected', /wait at least a day/],
    ])('when Meta answers %i, then the send fails as %s with the plain reason', async (code, kind, reason) => {
      const { g } = await gateway();
      graph.failSends({ code });
      const err = (await g.sendText(ANA_WA, 'hello').catch((e: unknown) => e)) as GatewaySendError;
      expect(err).toBeInstanceOf(GatewaySendError);
      expect(err.kind).toBe(kind);
      expect(err.message).toMatch(reason);
      expect(err.message).toContain(`WhatsApp error ${code}`);
    });

    it('when Meta answers 5xx or drops the connection, then the send fails as unknown (retried by the dispatcher)', async () => {
      const { g } = await gateway();
      graph.failSends({ code: 2, status: 503 });
      await expect(g.sendText(ANA_WA, 'hello')).rejects.toMatchObject({ kind: 'unknown' });
      graph.failSends({ code: 0, drop: true });
      await expect(g.sendText(ANA_WA, 'hello')).rejects.toMatchObject({ kind: 'unknown' });
    });

    it('when Meta answers 131050 (marketing stopped), then the send is rejected and a marketing_preference stop event is emitted', async () => {
      const { g, events } = await gateway();
      graph.failSends({ code: 131050 });
      await expect(g.sendText(ANA_WA, 'Our sale starts today')).rejects.toMatchObject({ kind: 'rejected' });
      expect(events.filter((e) => e.type === 'marketing_preference')).toEqual([{ type: 'marketing_preference', from: ANA_WA, preference: 'stop', at: expect.any(Date) }]);
    });
  });

  describe('sendMedia()', () => {
    it('when a picture is sent, then it is uploaded and sent by id with its caption', async () => {
      const { g } = await gateway();
      const data = Buffer.from('89504e470d0a1a0a', 'hex');
      const sent = await g.sendMedia(ANA_WA, { mimetype: 'image/png', filename: 'box.png', data, caption: 'the box' });
      const upload = graph.calls.find((c) => c.path.endsWith('/media'))!;
      expect(upload.body).toEqual({ messaging_product: 'whatsapp', type: 'image/png', file: data.length });
      const id = (upload.answer as { id: string }).id;
      expect(graph.sends).toHaveLength(1);
      expect(graph.sends[0]!.body).toMatchObject({ type: 'image', image: { id, caption: 'the box' } });
      expect(graph.media.get(id)!.data).toEqual(data);
      expect(sent.id).toBe(graph.sends[0]!.wamid);
    });

    it('when a file is over its type’s limit, then it is refused before any upload, with a clear reason', async () => {
      const { g } = await gateway();
      const err = (await g.sendMedia(ANA_WA, { mimetype: 'image/jpeg', data: Buffer.alloc(MEDIA_LIMITS.image + 1) }).catch((e: unknown) => e)) as GatewaySendError;
      expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^WhatsApp accepts images up to 5 MB; this file is 5\.0 MB/) });
      expect(graph.calls.filter((c) => c.method === 'POST')).toEqual([]);
    });

    it('when a voice note has a caption, then the audio goes without it and the words follow as text', async () => {
      const { g } = await gateway();
      await g.sendMedia(ANA_WA, { mimetype: 'audio/ogg', data: Buffer.from('OggS'), caption: 'listen' });
      expect(graph.sends.map((s) => s.type)).toEqual(['audio', 'text']);
      expect(graph.sends[1]!.body.text).toMatchObject({ body: 'listen' });
    });
  });

  describe('inbound, react, markRead, and what the Cloud API cannot do', () => {
    it('when a webhook is ingested, then messages come as events, media downloads through the Graph API with the token, and react and markRead use the chat', async () => {
      const { g, events } = await gateway();
      const mediaId = graph.hostMedia(Buffer.from('picture bytes'), 'image/jpeg');
      const read = g.read(buildWebhook({ messages: [inboundMessage(ANA, 'text', { body: 'hi' }, { id: 'wamid.ONE' }), inboundMessage(ANA, 'image', { id: mediaId, mime_type: 'image/jpeg', sha256: 'x' }, { id: 'wamid.TWO' })] }));
      if (!read.ok) throw new Error(read.reason);
      g.ingest(read.items);
      const messages = events.flatMap((e) => (e.type === 'message' ? [e.message] : [])) as InboundMessage[];
      expect(messages.map((m) => [m.id, m.from])).toEqual([
        ['wamid.ONE', ANA_WA],
        ['wamid.TWO', ANA_WA],
      ]);
      const media = messages[1]!.content;
      if (media.kind !== 'media') throw new Error('expected media');
      expect((await media.fetch()).toString()).toBe('picture bytes');
      expect(graph.downloads).toEqual([{ mediaId, authorization: `Bearer ${TOKEN}` }]);

      await g.markRead(ANA_WA);
      expect(graph.reads).toEqual(['wamid.TWO']);
      await g.react('wamid.ONE', '👍');
      expect(graph.sends[0]!.body).toMatchObject({ to: ANA, type: 'reaction', reaction: { message_id: 'wamid.ONE', emoji: '👍' } });
      await expect(g.react('wamid.UNKNOWN', '👍')).rejects.toMatchObject({ kind: 'rejected' });
    });

    it('then its capabilities say no edit, no delete, no history, and edit/revoke are refused with the plain reason', async () => {
      const { g } = await gateway();
      expect(g.capabilities).toEqual({ edit: false, revoke: false, history: false });
      await expect(g.edit()).rejects.toMatchObject({ kind: 'rejected', message: expect.stringContaining('the WhatsApp Cloud API cannot edit a sent message') });
      await expect(g.revoke()).rejects.toMatchObject({ kind: 'rejected', message: expect.stringContaining('the WhatsApp Cloud API cannot delete a sent message') });
      expect(await g.recentOwnMessages()).toEqual([]);
      expect(await g.messagesSince()).toEqual({ messages: [], truncatedChats: 0 });
    });
  });
});
