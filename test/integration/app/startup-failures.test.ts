import { runMain } from '../../support/run-main';

const slack = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_INBOX_CHANNEL: 'C0INBOX01', PRIVACY_KEY: 'startup-test-privacy-key-0123456789abcdef' };

describe('start-up failures', () => {
  it('when Slack credentials are missing, then it exits 1 listing every missing key, without a stack trace', async () => {
    const result = await runMain({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN is required');
    expect(result.stderr).toContain('SLACK_SIGNING_SECRET is required');
    expect(result.stderr).toContain('SLACK_INBOX_CHANNEL is required');
    expect(result.stderr).toContain('README.md → "Setup"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('when MongoDB cannot be reached, then it exits 1 with one line naming the URI without its password', async () => {
    const result = await runMain({ ...slack, MONGODB_URI: 'mongodb://app:s3cret-pw@127.0.0.1:1/switchboard', LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^switchboard: Cannot reach MongoDB at mongodb:\/\/app:\*\*\*@127\.0\.0\.1:1\/switchboard: .+\n$/);
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
  });
});
