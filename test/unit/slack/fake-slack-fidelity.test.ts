import { LogLevel, WebClient } from '@slack/web-api';
import { manifestBotScopes, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';

/** The fake refuses what Slack refuses — a scope the app lacks, a message Slack would not show — so no test passes on something a real workspace rejects. */
describe('fake Slack API fidelity', () => {
  let api: FakeSlackApi;
  let client: WebClient;
  beforeAll(async () => {
    api = await startFakeSlackApi();
    // The WebClient itself warns about a missing text fallback; these tests send one on purpose.
    client = new WebClient('xoxb-bot', { slackApiUrl: api.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  describe('scopes', () => {
    it('when nothing is set, then the bot has the scopes manifest.yml asks for', () => {
      expect(api.scopes().sort()).toEqual([...manifestBotScopes()].sort());
      expect(manifestBotScopes()).toContain('chat:write');
    });

    it('when the bot lacks the scope a method needs, then Slack answers missing_scope with needed and provided', async () => {
      api.setScopes(['chat:write', 'users:read']);
      await expect(client.conversations.open({ users: 'U1' })).rejects.toMatchObject({ data: { ok: false, error: 'missing_scope', needed: 'im:write', provided: 'chat:write,users:read' } });
      await expect(client.reactions.add({ channel: 'C1', timestamp: '1.1', name: 'eyes' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'reactions:write' } });
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    });

    it('when a method needs a scope per channel type, then a private channel needs groups:read and a public one channels:read', async () => {
      api.setScopes(['channels:read']);
      await expect(client.conversations.info({ channel: 'C1' })).resolves.toMatchObject({ ok: true });
      await expect(client.conversations.info({ channel: 'G1' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'groups:read' } });
      api.setChannelKind('C2', 'private');
      await expect(client.conversations.info({ channel: 'C2' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'groups:read' } });
    });

    it('when a method needs no scope, then a bot with none may call it', async () => {
      api.setScopes([]);
      await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
      await expect(client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).resolves.toMatchObject({ ok: true });
      await expect(client.chat.getPermalink({ channel: 'C1', message_ts: '1.1' })).resolves.toMatchObject({ ok: true });
    });

    it('when the scopes were narrowed, then reset gives the manifest scopes back', async () => {
      api.setScopes([]);
      api.reset();
      await expect(client.conversations.join({ channel: 'C1' })).resolves.toMatchObject({ ok: true });
    });

    it('when an attachment is downloaded without files:read, then Slack refuses it', async () => {
      const file = api.hostFile(Buffer.from('hi'), 'a.txt', 'text/plain');
      const get = () => fetch(file.url_private_download, { headers: { authorization: 'Bearer xoxb-bot' } });
      expect((await get()).status).toBe(200);
      api.setScopes(['chat:write']);
      const refused = await get();
      expect(refused.status).toBe(403);
      await expect(refused.json()).resolves.toMatchObject({ error: 'missing_scope', needed: 'files:read' });
    });

    it('when the bot token opens a Socket Mode connection, then Slack refuses the token type', async () => {
      await expect(client.apiCall('apps.connections.open')).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    });
  });

  describe('unknown methods', () => {
    it('when a method the scope table does not know is called, then Slack answers unknown_method and the fake keeps it to fail the test', async () => {
      await expect(client.apiCall('chat.postMesage', { channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'unknown_method' } });
      expect(() => api.failOnUnknownMethods()).toThrow(/chat\.postMesage, not in test\/support\/slack\/method-scopes\.ts/);
      expect(api.unknownMethods).toEqual([]);
    });

    it('when one is left at close, then closing the fake fails', async () => {
      const other = await startFakeSlackApi();
      await expect(new WebClient('xoxb-bot', { slackApiUrl: other.url, retryConfig: { retries: 0 } }).apiCall('made.up')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
      await expect(other.close()).rejects.toThrow(/made\.up/);
    });
  });

  describe('Block Kit, beyond the size limits', () => {
    const button = (action_id: string) => ({ type: 'button', action_id, text: { type: 'plain_text', text: action_id } });

    it('when two blocks share a block_id, then Slack answers invalid_blocks', async () => {
      const blocks = [1, 2].map(() => ({ type: 'section', block_id: 'same', text: { type: 'mrkdwn', text: 'a' } }));
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks', errors: [expect.stringMatching(/duplicate block_id same/)] } });
    });

    it('when two blocks each use one action_id, then Slack takes it (action_id is unique within its block only)', async () => {
      const blocks = [{ type: 'actions', elements: [button('open')] }, { type: 'actions', elements: [button('open')] }];
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x', blocks })).resolves.toMatchObject({ ok: true });
    });

    it.each(['chat.postMessage', 'chat.postEphemeral', 'chat.update'])('when %s carries blocks without a text fallback, then the fake refuses it', async (method) => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'a' } }];
      await expect(client.apiCall(method, { channel: 'C1', user: 'U1', ts: '1.1', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks', errors: ['blocks without a text fallback [/text]'] } });
      await expect(client.apiCall(method, { channel: 'C1', user: 'U1', ts: '1.1', blocks, text: 'a' })).resolves.toMatchObject({ ok: true });
    });

    describe('response_url posts', () => {
      const post = (body: object) => fetch(api.responseUrl('r1'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const section = { type: 'section', text: { type: 'mrkdwn', text: 'a' } };

      it.each([
        ['51 blocks', { text: 'x', blocks: Array.from({ length: 51 }, () => section) }, /more than 50 blocks/],
        ['blocks without text', { blocks: [section] }, /without a text fallback/],
        ['a header of 151 characters', { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] }, /header text over 150/],
      ])('when one has %s, then Slack answers 400 invalid_blocks and the post is marked refused', async (_what, body, reason) => {
        const res = await post(body);
        expect(res.status).toBe(400);
        await expect(res.json()).resolves.toMatchObject({ ok: false, error: 'invalid_blocks' });
        expect(api.responses[0]?.refused).toMatch(reason);
      });

      it('when one is a valid message or deletes the original, then Slack takes it', async () => {
        expect((await post({ text: 'x', blocks: [section] })).status).toBe(200);
        expect((await post({ delete_original: true })).status).toBe(200);
        expect(api.responses.map((r) => r.refused)).toEqual([undefined, undefined]);
      });
    });
  });
});
