import { testServerUri, uniqueDbName } from '../../support/mongo';
import { spawnMain } from '../../support/run-main';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';

/** `npm start`'s process as an operator sees it: real main.ts, fake Slack API, the run's MongoDB. */
describe('the app process', () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await startFakeSlackApi();
  });
  afterAll(() => slack.close());

  const env = () => ({
    SLACK_BOT_TOKEN: 'xoxb-process-test',
    PRIVACY_KEY: 'process-test-privacy-key-0123456789abcdef',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_INBOX_CHANNEL: 'C0INBOX01',
    SLACK_API_URL: slack.url,
    MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${uniqueDbName('proc')}`,
    WHATSAPP_GATEWAY: 'none',
    PORT: '0',
    LOG_LEVEL: 'info',
  });

  it('when Slack rejects the bot token, then it exits 1 with one readable line naming the cause', async () => {
    slack.setAuthToken('xoxb-the-real-one');
    try {
      const result = await spawnMain(env()).exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^switchboard: Slack rejected SLACK_BOT_TOKEN \(invalid_auth\).*\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      slack.setAuthToken(undefined);
    }
  });

  it('when Slack cannot be reached, then it gives up after a few quick retries with one readable line', async () => {
    const result = await spawnMain({ ...env(), SLACK_API_URL: 'http://127.0.0.1:1/api/' }).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^switchboard: Cannot reach Slack to check SLACK_BOT_TOKEN: .+\n$/);
  });

  it('when it gets SIGTERM, then it stops cleanly and exits 0', async () => {
    const running = spawnMain(env());
    await running.waitForOutput(/switchboard started/);
    running.signal('SIGTERM');
    const result = await running.exited;
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/stopped/i);
  });
});
