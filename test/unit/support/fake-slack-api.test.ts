import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { App, HTTPReceiver, LogLevel, verifySlackRequest } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand, signSlackRequest } from '../../support/slack/signed-request';

/** The fake Slack API must behave like Slack for the real WebClient, or every app test lies. */
describe('fake Slack Web API with the real WebClient', () => {
  let api: FakeSlackApi;
  let client: WebClient;
  beforeAll(async () => {
    api = await startFakeSlackApi();
    client = new WebClient('xoxb-right', { slackApiUrl: api.url, retryConfig: { retries: 0 } });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.reset();
    api.setAuthToken(undefined);
  });

  it('when started, then the base URL is a loopback /api/ URL', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('when a message with blocks is posted, then the call is recorded with the blocks parsed and a ts returned', async () => {
    const res = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] });
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);
    const [call] = api.callsTo('chat.postMessage');
    expect(call?.token).toBe('xoxb-right');
    expect(call?.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
  });

  it('when two messages are posted, then their ts values are distinct and increasing', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'a' });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'b' });
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
  });

  it('when auth.test is called, then the default bot identity comes back', async () => {
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' });
  });

  it('when a method the fake does not know is called, then the WebClient throws unknown_method', async () => {
    await expect(client.apiCall('made.up')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    // Acknowledged here, or closing the fake would fail this file (see fake-slack-fidelity.test.ts).
    expect(api.takeUnknownMethods()).toEqual(['made.up']);
  });

  it('when waiting for a call that arrives later, then waitFor resolves with that call', async () => {
    const waiting = api.waitFor('reactions.add', (c) => c.args.name === 'eyes');
    await client.reactions.add({ channel: 'C1', timestamp: '1.2', name: 'thumbsup' });
    await client.reactions.add({ channel: 'C1', timestamp: '1.2', name: 'eyes' });
    await expect(waiting).resolves.toMatchObject({ method: 'reactions.add', args: { name: 'eyes' } });
  });

  it('when no matching call arrives, then waitFor rejects after its timeout', async () => {
    await expect(api.waitFor('chat.delete', () => true, 50)).rejects.toThrow(/no chat\.delete call within 50 ms/);
  });

  it('when the token is not the accepted one, then the WebClient throws invalid_auth', async () => {
    api.setAuthToken('xoxb-other');
    await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('when started with an auth token, then only that token is accepted', async () => {
    const strict = await startFakeSlackApi({ authToken: 'xoxb-right' });
    try {
      const wrong = new WebClient('xoxb-wrong', { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
      const right = new WebClient('xoxb-right', { slackApiUrl: strict.url, retryConfig: { retries: 0 } });
      await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
      await expect(right.auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await strict.close();
    }
  });

  it('when a failure is scripted, then the next call gets it and the one after is normal again', async () => {
    api.respond('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('when a function is scripted, then it answers every call from the call it receives', async () => {
    api.respond('usergroups.users.list', (call) => ({ ok: true, users: [`U-${String(call.args.usergroup)}`] }));
    await expect(client.usergroups.users.list({ usergroup: 'S1' })).resolves.toMatchObject({ users: ['U-S1'] });
    await expect(client.usergroups.users.list({ usergroup: 'S2' })).resolves.toMatchObject({ users: ['U-S2'] });
  });

  it('when a 429 with Retry-After is scripted, then the WebClient reports a rate limit', async () => {
    api.respond('chat.postMessage', { ok: false, error: 'ratelimited' }, { status: 429, headers: { 'retry-after': '7' } });
    const limited = new WebClient('xoxb-right', { slackApiUrl: api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    await expect(limited.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  describe('Block Kit limits, as Slack enforces them', () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

    it('when a message has 50 blocks with 3,000-character sections, then Slack takes it', async () => {
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: Array.from({ length: 50 }, () => section('a'.repeat(3000))) })).resolves.toMatchObject({ ok: true });
    });

    it.each([
      ['51 blocks', Array.from({ length: 51 }, () => section('a'))],
      ['a section text of 3,001 characters', [section('a'.repeat(3001))]],
      ['a header of 151 characters', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }]],
      ['a button text of 76 characters', [{ type: 'actions', elements: [{ type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'b'.repeat(76) } }] }]],
      ['two buttons with one action_id', [{ type: 'actions', elements: ['x', 'y'].map((t) => ({ type: 'button', action_id: 'same', text: { type: 'plain_text', text: t } })) }]],
    ])('when a message has %s, then Slack answers invalid_blocks and keeps nothing', async (_what, blocks) => {
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      expect(api.callsTo('chat.postMessage')[0]?.result).toBeUndefined();
    });

    it('when a modal has a title over 24 characters or 101 blocks, then Slack answers invalid_blocks', async () => {
      const modal = (title: string, n: number) => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: Array.from({ length: n }, () => section('a')) });
      await expect(client.views.open({ trigger_id: 't', view: modal('t'.repeat(25), 1) })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      await expect(client.views.open({ trigger_id: 't', view: modal('ok', 101) })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      await expect(client.views.open({ trigger_id: 't', view: modal('ok', 100) })).resolves.toMatchObject({ ok: true });
    });
  });

  it('when a message text is over 40,000 characters, then the thread keeps only the first 40,000', async () => {
    const root = await client.chat.postMessage({ channel: 'C1', text: 'root' });
    await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts, text: 'a'.repeat(40_000) + 'CUT' });
    expect(api.thread('C1', root.ts!).map((m) => m.text?.length)).toEqual([4, 40_000]);
  });

  it('when a post is accepted but answered 500, then the caller hears the failure and the thread shows the post', async () => {
    const root = await client.chat.postMessage({ channel: 'C1', text: 'root' });
    api.acceptButFail('chat.postMessage');
    await expect(client.chat.postMessage({ channel: 'C1', thread_ts: root.ts, text: 'taken' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    const replies = await client.conversations.replies({ channel: 'C1', ts: root.ts! });
    expect(replies.messages?.map((m) => m.text)).toEqual(['root', 'taken']);
  });

  it('when a function script returns nothing, then that call gets the usual answer', async () => {
    api.respond('chat.postMessage', (call) => (call.args.text === 'fail' ? { ok: false, error: 'channel_not_found' } : undefined));
    await expect(client.chat.postMessage({ channel: 'C1', text: 'pass' })).resolves.toMatchObject({ ok: true });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'fail' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
  });

  describe('conversations.replies, paged as Slack pages it', () => {
    async function threadOf(n: number): Promise<{ root: string; replies: string[] }> {
      const root = (await client.chat.postMessage({ channel: 'C1', text: 'root' })).ts!;
      const replies: string[] = [];
      for (let i = 0; i < n; i++) replies.push((await client.chat.postMessage({ channel: 'C1', thread_ts: root, text: `r${i}` })).ts!);
      return { root, replies };
    }

    it('when a thread is read with a limit, then each page starts with the parent and the cursor leads through every reply once', async () => {
      const { root, replies } = await threadOf(5);
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await client.conversations.replies({ channel: 'C1', ts: root, limit: 2, ...(cursor ? { cursor } : {}) });
        pages.push(page.messages!.map((m) => m.ts!));
        expect(page.has_more).toBe(!!page.response_metadata?.next_cursor);
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      expect(pages).toEqual([[root, replies[0], replies[1]], [root, replies[2], replies[3]], [root, replies[4]]]);
    });

    it('when oldest is given, then only replies after it come (inclusive: from it), after the parent', async () => {
      const { root, replies } = await threadOf(3);
      const after = await client.conversations.replies({ channel: 'C1', ts: root, oldest: replies[1] });
      expect(after.messages!.map((m) => m.ts)).toEqual([root, replies[2]]);
      const from = await client.conversations.replies({ channel: 'C1', ts: root, oldest: replies[1], inclusive: true });
      expect(from.messages!.map((m) => m.ts)).toEqual([root, replies[1], replies[2]]);
    });

    it('when a cursor is not one the fake gave out, then Slack answers invalid_cursor', async () => {
      const { root } = await threadOf(1);
      await expect(client.conversations.replies({ channel: 'C1', ts: root, cursor: 'bm9wZQ==' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });
    });
  });

  describe('deleting, as Slack allows a bot', () => {
    it('when the bot deletes its own post, then it leaves the thread; a second delete finds nothing', async () => {
      const root = await client.chat.postMessage({ channel: 'C1', text: 'card' });
      const reply = await client.chat.postMessage({ channel: 'C1', thread_ts: root.ts!, text: 'mirrored' });
      await client.chat.delete({ channel: 'C1', ts: reply.ts! });
      expect(api.thread('C1', root.ts!).map((m) => m.ts)).toEqual([root.ts]);
      await expect(client.chat.delete({ channel: 'C1', ts: reply.ts! })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    });

    it('when the bot deletes a person’s message or one never posted, then Slack refuses', async () => {
      const root = await client.chat.postMessage({ channel: 'C1', text: 'card' });
      const agents = api.userPost('C1', root.ts!, 'U0AGENT1', 'hello from an agent');
      await expect(client.chat.delete({ channel: 'C1', ts: agents })).rejects.toMatchObject({ data: { error: 'cant_delete_message' } });
      await expect(client.chat.delete({ channel: 'C1', ts: '1.000001' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
      expect(api.thread('C1', root.ts!).map((m) => m.user ?? 'bot')).toEqual(['bot', 'U0AGENT1']);
    });

    it('when the bot shares a file into a thread, then it lists with the file; the bot may delete that file, not an agent’s', async () => {
      const root = await client.chat.postMessage({ channel: 'C1', text: 'card' });
      const upload = (await client.files.uploadV2({ channel_id: 'C1', thread_ts: root.ts!, file: Buffer.from('x'), filename: 'x.txt' })) as unknown as { files: Array<{ files: Array<{ id: string }> }> };
      const id = upload.files[0]!.files[0]!.id;
      expect(api.thread('C1', root.ts!)[1]).toMatchObject({ files: [{ id }] });
      await client.files.delete({ file: id });
      expect(api.thread('C1', root.ts!)[1]?.files).toEqual([]);
      await expect(client.files.delete({ file: id })).rejects.toMatchObject({ data: { error: 'file_deleted' } });
      const hosted = api.hostFile(Buffer.from('y'), 'y.txt', 'text/plain');
      await expect(client.files.delete({ file: hosted.id })).rejects.toMatchObject({ data: { error: 'cant_delete_file' } });
    });
  });

  it('when users.info is called, then a user with a profile comes back', async () => {
    const res = await client.users.info({ user: 'U7' });
    expect(res.user).toMatchObject({ id: 'U7', profile: { display_name: expect.any(String), first_name: expect.any(String) } });
  });

  it('when a file is uploaded with uploadV2, then the bytes reach the fake and the upload completes', async () => {
    await client.files.uploadV2({ channel_id: 'C1', thread_ts: '1.2', file: Buffer.from('PNGDATA'), filename: 'chart.png', title: 'Chart' });
    expect([...api.uploads.values()].map((b) => b.toString())).toEqual(['PNGDATA']);
    const [fileId] = api.uploads.keys();
    const complete = api.callsTo('files.completeUploadExternal')[0];
    expect(complete?.args).toMatchObject({ channel_id: 'C1', thread_ts: '1.2', files: [{ id: fileId, title: 'Chart' }] });
  });

  it('when JSON is posted to a response_url, then it is recorded under its id', async () => {
    const res = await fetch(api.responseUrl('r1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'done' }) });
    expect(await res.json()).toEqual({ ok: true });
    await expect(api.waitForResponse((p) => p.id === 'r1')).resolves.toMatchObject({ body: { text: 'done' } });
  });
});

describe('signSlackRequest', () => {
  it('when given the example from Slack’s documentation, then it produces Slack’s signature', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest(body, '8f742231b10e8888abcd99yyyzzz85a5', 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('when a request is signed by the helper, then Bolt’s own verifier accepts it and rejects a forgery', () => {
    const body = 'command=%2Fwa&text=help';
    const ts = Math.floor(Date.now() / 1000);
    const headers = signSlackRequest(body, 'shh', ts);
    const request = { body, headers: { 'x-slack-signature': headers['x-slack-signature']!, 'x-slack-request-timestamp': ts } };
    expect(() => verifySlackRequest({ signingSecret: 'shh', ...request })).not.toThrow();
    expect(() => verifySlackRequest({ signingSecret: 'other', ...request })).toThrow();
  });
});

/** The helpers against a real Bolt App over HTTP: the same path Slack's requests take into ours. */
describe('signed requests into a real Bolt HTTPReceiver, Web API calls into the fake', () => {
  const SECRET = 'unit-signing-secret';
  let api: FakeSlackApi;
  let app: App;
  let baseUrl: string;
  beforeAll(async () => {
    api = await startFakeSlackApi({ authToken: 'xoxb-bolt' });
    app = new App({
      token: 'xoxb-bolt',
      receiver: new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR }),
      clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/wa', async ({ ack, respond, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `got ${command.text}` });
    });
    app.action('approve', async ({ ack, client, body }) => {
      await ack();
      await client.chat.postMessage({ channel: body.channel?.id ?? '', text: 'approved' });
    });
    app.message(async ({ message, say }) => {
      if ('text' in message) await say(`echo ${message.text ?? ''}`);
    });
    const server = await app.start(0);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.stop();
    await api.close();
  });
  beforeEach(() => api.reset());

  it('when a slash command is posted, then Bolt acks it and respond() lands on the fake response_url', async () => {
    const res = await postSlashCommand(baseUrl, SECRET, { text: 'help', response_url: api.responseUrl('cmd') });
    expect(res.status).toBe(200);
    await expect(api.waitForResponse((p) => p.id === 'cmd')).resolves.toMatchObject({ body: { text: 'got help' } });
  });

  it('when the signature is forged, then Bolt answers 401', async () => {
    const res = await postSlashCommand(baseUrl, SECRET, { text: 'x', response_url: api.responseUrl('forged') }, { forgeWith: 'wrong' });
    expect(res.status).toBe(401);
  });

  it('when the timestamp is older than five minutes, then Bolt answers 401', async () => {
    const res = await postSlashCommand(baseUrl, SECRET, { text: 'x', response_url: api.responseUrl('old') }, { expired: true });
    expect(res.status).toBe(401);
  });

  it('when a button click is posted, then the handler’s Web API call reaches the fake with the bot token', async () => {
    const res = await postInteraction(baseUrl, SECRET, blockActionPayload({ actionId: 'approve', channelId: 'C0ACT' }));
    expect(res.status).toBe(200);
    await expect(api.waitFor('chat.postMessage', (c) => c.args.channel === 'C0ACT')).resolves.toMatchObject({ token: 'xoxb-bolt', args: { text: 'approved' } });
  });

  it('when an event is posted, then the message listener runs and says into the channel', async () => {
    const res = await postEvent(baseUrl, SECRET, messageEventEnvelope({ text: 'ping', channel: 'C0EVT' }));
    expect(res.status).toBe(200);
    await expect(api.waitFor('chat.postMessage', (c) => c.args.channel === 'C0EVT')).resolves.toMatchObject({ args: { text: 'echo ping' } });
  });

  it('when Slack’s url_verification challenge is posted, then Bolt echoes the challenge', async () => {
    const res = await postEvent(baseUrl, SECRET, { type: 'url_verification', token: 'legacy', challenge: 'c-123' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: 'c-123' });
  });
});
