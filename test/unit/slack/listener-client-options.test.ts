import { webApi } from '@slack/bolt';
import { LISTENER_CLIENT_DEFAULTS, listenerClientOptions } from '../../../src/slack/listener-client-options';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

/** The listeners' Slack client gives up within seconds, not after the WebClient's half hour of retries. */
describe('listener client options', () => {
  const slack = useFakeSlackApi();

  it('when nothing is overridden, then a call is tried at most three times and each try times out after 10 s', () => {
    const options = listenerClientOptions({ slackApiUrl: 'http://127.0.0.1/api/' });
    expect(options).toMatchObject({ slackApiUrl: 'http://127.0.0.1/api/', timeout: 10_000, retryConfig: { retries: 2 } });
    expect(options.retryConfig!.maxTimeout).toBeLessThanOrEqual(2_000);
  });

  it('when a test turns retries off, then that wins and the timeout stays', () => {
    expect(listenerClientOptions({}, { retryConfig: { retries: 0 } })).toMatchObject({ timeout: 10_000, retryConfig: { retries: 0 } });
  });

  it('when Slack keeps failing, then the production client gives up after its budget with the error', async () => {
    const client = new webApi.WebClient('xoxb-test-token', listenerClientOptions({ slackApiUrl: slack.url }));
    for (let i = 0; i < 4; i++) slack.respond('chat.postEphemeral', { body: { ok: false, error: 'internal_error' }, status: 503 });
    await expect(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'hi' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    expect(slack.callsTo('chat.postEphemeral')).toHaveLength(1 + LISTENER_CLIENT_DEFAULTS.retryConfig.retries);
  });
});
