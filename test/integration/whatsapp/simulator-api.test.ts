import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { SIGNING_SECRET, startTestApp } from '../../support/app-harness';
import { eventually } from '../../support/bridge-helpers';
import { startSimulatorApp, type SimulatorApp } from '../../support/simulator-app';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';
import type { SimPageEvent } from '../../../src/whatsapp/simulator/simulator-gateway';

const ANA = { name: 'Ana Lima', number: '+44 7911 123456' };
const ANA_WA = '447911123456@c.us';

/** A JSON post to the simulator's API, as the page makes it. */
async function post(t: SimulatorApp, path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${t.baseUrl}/simulator/${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A GET with a chosen Host header (fetch cannot set one). */
function getWithHost(t: SimulatorApp, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.baseUrl}${path}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the simulator gateway (WHATSAPP_GATEWAY=simulator)', () => {
  const slack = useFakeSlackApi();
  let t: SimulatorApp | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    t = await startSimulatorApp(slack, env);
    return t;
  }

  /** Ana writes "text" from the page; resolves once her thread exists in Slack. */
  async function anaWrites(app: SimulatorApp, text: string) {
    await post(app, 'contacts', ANA);
    const sent = await post(app, 'messages', { waId: ANA_WA, text });
    expect(sent.status).toBe(200);
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))?.slack !== undefined, 'a thread for Ana');
    return (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!;
  }

  it('when the page is opened from this machine, then it is served, and its JSON API refuses bad input with 400 and a reason', async () => {
    const app = await start();
    const page = await fetch(`${app.baseUrl}/simulator`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('WhatsApp simulator');

    expect(await post(app, 'contacts', { name: '', number: '+447911123456' })).toEqual({ status: 400, body: { error: 'name: a name is needed' } });
    expect(await post(app, 'contacts', { name: 'Ana', number: '12' })).toEqual({ status: 400, body: { error: expect.stringMatching(/^number: /) } });
    expect(await post(app, 'contacts', { name: 'Ana', number: 'not a phone' })).toEqual({ status: 400, body: { error: expect.stringMatching(/^number: .*not a valid phone number/) } });
    expect(await post(app, 'contacts', '{not json')).toEqual({ status: 400, body: { error: 'the body is not valid JSON' } });
    expect(await post(app, 'contacts', ANA, { 'content-type': 'text/plain' })).toEqual({ status: 415, body: { error: expect.stringContaining('JSON') } });
    expect(await post(app, 'messages', { waId: ANA_WA, text: 'hi', media: { mimetype: 'image/png', dataBase64: 'AAAA' } })).toEqual({
      status: 400,
      body: { error: 'send either text or media, not both or neither' },
    });
    expect(await post(app, 'messages', { waId: 'ana', text: 'hi' })).toEqual({ status: 400, body: { error: expect.stringMatching(/^waId: /) } });
    expect(await post(app, 'messages', { waId: ANA_WA, media: { mimetype: 'image/png', dataBase64: 'not base64!' } })).toEqual({ status: 400, body: { error: 'media.dataBase64: must be base64' } });
    expect(await post(app, 'receipts', { messageIds: [], ack: 'read' })).toMatchObject({ status: 400 });
    // Well-formed, but nobody plays that number yet.
    expect(await post(app, 'messages', { waId: ANA_WA, text: 'hi' })).toEqual({ status: 404, body: { error: expect.stringContaining('not a contact on the simulator page') } });

    const created = await post(app, 'contacts', ANA);
    expect(created).toEqual({ status: 200, body: { ok: true, contact: { name: 'Ana Lima', e164: '+447911123456', waId: ANA_WA } } });
  });

  it('when a request names another host, then it is refused with 403 unless SIMULATOR_PUBLIC=true', async () => {
    const app = await start();
    expect(await getWithHost(app, '/simulator', `localhost:${app.app.port}`)).toBe(200);
    expect(await getWithHost(app, '/simulator', 'switchboard.example.com')).toBe(403);
    expect(await getWithHost(app, '/readyz', 'switchboard.example.com')).not.toBe(403);
    await app.stop();
    t = undefined;
    const open = await start({ SIMULATOR_PUBLIC: 'true' });
    expect(await getWithHost(open, '/simulator', 'switchboard.example.com')).toBe(200);
  });

  it('when a customer writes from the page, then the message reaches a Slack thread whose root says the contact is simulated', async () => {
    const app = await start();
    const ana = await anaWrites(app, 'Hello from the simulator');
    expect(ana.simulated).toBe(true);
    const root = slack.callsTo('chat.postMessage').find((c) => c.result?.ts === ana.slack!.threadTs)!;
    expect(JSON.stringify(root.args.blocks)).toContain('Simulated contact* — messages go to the simulator, not WhatsApp');
    await eventually(() => slack.callsTo('chat.postMessage').some((c) => c.args.thread_ts === ana.slack!.threadTs && String(c.args.text).includes('Hello from the simulator')), 'the message in the thread');
  });

  it('when an agent replies in the thread, then the page hears it, and its delivery and read receipts come back to Slack', async () => {
    const app = await start();
    const heard: SimPageEvent[] = [];
    app.simulator.onPage((e) => heard.push(e));
    const ana = await anaWrites(app, 'Where is my order?');
    const ts = '1800000000.000001';
    const res = await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'It ships today', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }));
    expect(res.status).toBe(200);
    await eventually(() => heard.some((e) => e.type === 'message' && e.message.from === 'business' && e.message.text === 'It ships today'), 'the reply on the page', 10_000);
    const reply = heard.find((e) => e.type === 'message' && e.message.from === 'business')!;
    const id = (reply as Extract<SimPageEvent, { type: 'message' }>).message.id;
    const reactions = () => slack.callsTo('reactions.add').filter((c) => c.args.timestamp === ts).map((c) => c.args.name);
    await eventually(() => reactions().includes('heavy_check_mark'), 'the sent mark');
    expect(await post(app, 'receipts', { messageIds: [id], ack: 'delivered' })).toEqual({ status: 200, body: { ok: true, moved: 1 } });
    expect(await post(app, 'receipts', { messageIds: [id], ack: 'read' })).toEqual({ status: 200, body: { ok: true, moved: 1 } });
    // Receipts never go backwards.
    expect(await post(app, 'receipts', { messageIds: [id], ack: 'delivered' })).toEqual({ status: 200, body: { ok: true, moved: 0 } });
    await eventually(() => reactions().length === 3, 'delivery reactions');
    expect(reactions()).toEqual(['heavy_check_mark', 'ballot_box_with_check', 'eyes']);
  });

  it('when the customer sends STOP from the page, then they are opted out and the page gets the one confirmation', async () => {
    const app = await start();
    const heard: SimPageEvent[] = [];
    app.simulator.onPage((e) => heard.push(e));
    await anaWrites(app, 'Hi');
    expect(await post(app, 'messages', { waId: ANA_WA, text: 'STOP' })).toMatchObject({ status: 200 });
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))?.consent.status === 'opted_out', 'the opt-out');
    await eventually(() => heard.some((e) => e.type === 'message' && e.message.from === 'business'), 'the confirmation', 10_000);
    const confirmations = heard.filter((e) => e.type === 'message' && e.message.from === 'business' && e.message.ack === 'sent');
    expect(confirmations).toHaveLength(1);
  });

  it('when the customer sends a picture and reacts to a reply, then Slack gets the file and the reaction', async () => {
    const app = await start();
    const ana = await anaWrites(app, 'Here is the damage');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(await post(app, 'messages', { waId: ANA_WA, media: { mimetype: 'image/png', filename: 'damage.png', dataBase64: png.toString('base64'), caption: 'the box' } })).toMatchObject({ status: 200 });
    await eventually(() => slack.calls.some((c) => /files\.|uploadV2|completeUploadExternal/.test(c.method)), 'the picture uploaded to Slack', 10_000);

    const heard: SimPageEvent[] = [];
    app.simulator.onPage((e) => heard.push(e));
    const ts = '1800000000.000002';
    await postEvent(app.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Sorry about that', channel: ana.slack!.channel, threadTs: ana.slack!.threadTs, ts }));
    await eventually(() => heard.some((e) => e.type === 'message' && e.message.from === 'business'), 'the reply on the page', 10_000);
    const reply = (heard.find((e) => e.type === 'message' && e.message.from === 'business') as Extract<SimPageEvent, { type: 'message' }>).message;
    expect(await post(app, 'reactions', { waId: ANA_WA, messageId: reply.id, emoji: '👍' })).toEqual({ status: 200, body: { ok: true } });
    await eventually(() => slack.callsTo('reactions.add').some((c) => c.args.timestamp === ts && c.args.name === '+1'), 'the reaction on the reply in Slack');
    expect(await post(app, 'reactions', { waId: ANA_WA, messageId: 'true_447911123456@c.us_NOPE', emoji: '🙏' })).toMatchObject({ status: 404 });
  });

  it('when a page is open, then its event stream starts with a snapshot, and the app still stops promptly', async () => {
    const app = await start();
    await post(app, 'contacts', ANA);
    const stream = await fetch(`${app.baseUrl}/simulator/events`);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first.replace(/^data: /, ''))).toEqual({ type: 'snapshot', contacts: [{ name: 'Ana Lima', e164: '+447911123456', waId: ANA_WA }], messages: [] });
    const stopped = app.stop().then(() => 'stopped');
    t = undefined;
    const late = new Promise((resolve) => setTimeout(() => resolve('still running'), 8000).unref());
    expect(await Promise.race([stopped, late])).toBe('stopped');
    expect((await reader.read()).done).toBe(true);
  });

  it('when the gateway is not the simulator, then there is no simulator page', async () => {
    const other = await startTestApp({}, { slack });
    try {
      expect((await fetch(`${other.baseUrl}/simulator`)).status).toBe(404);
    } finally {
      await other.stop();
    }
  });

  it('when a WhatsApp Web session exists in its data path, then the app refuses to start, saying so in one line', async () => {
    const starting = startSimulatorApp(slack, {}, { prepare: (dataPath) => mkdirSync(join(dataPath, 'session-switchboard'), { recursive: true }) });
    await expect(starting).rejects.toThrow(/^WHATSAPP_GATEWAY=simulator refused: a WhatsApp Web session exists in \S+ \(WHATSAPP_DATA_PATH\)[^\n]*$/);
  });

  it('when another instance holds the WhatsApp session on the same database, then the simulator refuses to start', async () => {
    const first = await start();
    const dbName = /\/([^/?]+)(\?|$)/.exec(first.app.deps.config.store.mongodbUri!)![1]!;
    const starting = startSimulatorApp(slack, {}, { dbName });
    await expect(starting).rejects.toThrow(/^WHATSAPP_GATEWAY=simulator refused: another instance holds the WhatsApp session on this database[^\n]*$/);
  });
});
