import { createServer } from 'node:net';
import { webApi } from '@slack/bolt';
import { START_CHECK_CLIENT, verifyBotToken } from '../../../src/slack/start-checks';

/** A port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the start-up line when Slack cannot be reached', () => {
  it('when SLACK_API_URL carries a proxy password, then the line names the URL without it', async () => {
    const url = `http://proxy-user:s3cret-pass@127.0.0.1:${await closedPort()}/api/`;
    const client = new webApi.WebClient('xoxb-test', { ...START_CHECK_CLIENT, retryConfig: { retries: 0 }, slackApiUrl: url });
    const failure = await verifyBotToken(client, url).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure?.message).toContain('check SLACK_API_URL');
    expect(failure?.message).toContain('proxy-user:***@127.0.0.1');
    expect(failure?.message).not.toContain('s3cret-pass');
  });
});
