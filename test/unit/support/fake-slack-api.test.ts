import { WebClient } from '@slack/web-api';
import { verifySlackRequest } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';
import { signSlackRequest } from '../../support/slack/signed-request';

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

  it('when a message with blocks is posted, then the call is recorded with the blocks parsed and a ts returned', async () => {
    const res = await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] });
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);
    const [call] = api.callsTo('chat.postMessage');
    expect(call?.token).toBe('xoxb-right');
    expect(call?.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
  });

  it('when the token is not the accepted one, then the WebClient throws invalid_auth', async () => {
    api.setAuthToken('xoxb-other');
    await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('when a failure is scripted, then the next call gets it and the one after is normal again', async () => {
    api.respond('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('when a 429 with Retry-After is scripted, then the WebClient reports a rate limit', async () => {
    api.respond('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    const limited = new WebClient('xoxb-right', { slackApiUrl: api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    await expect(limited.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('when a file is uploaded with uploadV2, then the bytes reach the fake and the upload completes', async () => {
    await client.files.uploadV2({ channel_id: 'C1', thread_ts: '1.2', file: Buffer.from('PNGDATA'), filename: 'chart.png', title: 'Chart' });
    expect([...api.uploads.values()].map((b) => b.toString())).toEqual(['PNGDATA']);
    const complete = api.callsTo('files.completeUploadExternal')[0];
    expect(complete?.args.channel_id).toBe('C1');
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
