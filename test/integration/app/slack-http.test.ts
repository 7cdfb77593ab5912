import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { postSlashCommand } from '../../support/slack/signed-request';

/** The real app over signed HTTP: Bolt's receiver, the /wa router, respond() to a response_url. */
describe('the app over signed HTTP requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => t.slack.reset());

  it('when /wa help arrives signed, then an ephemeral answer lists the subcommands', async () => {
    const res = await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: t.slack.responseUrl('help') });
    expect(res.status).toBe(200);
    const answer = await t.slack.waitForResponse((p) => p.id === 'help');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toContain('/wa help');
    expect(answer.body.text).toContain('/wa status');
  });

  it('when the subcommand is unknown, then the answer says so, with the usage, privately', async () => {
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'frobnicate now', response_url: t.slack.responseUrl('unknown') });
    const answer = await t.slack.waitForResponse((p) => p.id === 'unknown');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toMatch(/frobnicate/);
    expect(answer.body.text).toContain('/wa help');
  });

  it('when the signature is forged, then the request gets 401 and nothing is answered or called', async () => {
    const res = await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: t.slack.responseUrl('forged') }, { forgeWith: 'not-the-secret' });
    expect(res.status).toBe(401);
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: t.slack.responseUrl('after') });
    await t.slack.waitForResponse((p) => p.id === 'after');
    expect(t.slack.responses.map((r) => r.id)).toEqual(['after']);
    expect(t.slack.calls).toEqual([]);
  });

  it('when the timestamp is older than 5 minutes, then the request gets 401 and nothing is answered', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: t.slack.responseUrl('old') }, { timestampSec: old });
    expect(res.status).toBe(401);
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: t.slack.responseUrl('fresh') });
    await t.slack.waitForResponse((p) => p.id === 'fresh');
    expect(t.slack.responses.some((r) => r.id === 'old')).toBe(false);
  });

  it('when a command is handled, then its log lines carry the request id, team, user and command', async () => {
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', user_id: 'U0LOGGED', response_url: t.slack.responseUrl('log') });
    await t.slack.waitForResponse((p) => p.id === 'log');
    const line = t.logs.find((l) => l.user === 'U0LOGGED');
    expect(line).toMatchObject({ team: 'T0TEAM', user: 'U0LOGGED', command: '/wa status', msg: 'command received', subcommand: 'status' });
    expect(typeof line?.reqId).toBe('string');
  });
});
