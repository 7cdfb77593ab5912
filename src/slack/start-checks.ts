import { webApi } from '@slack/bolt';
import { AppError } from '../errors';
import { causeOf } from './socket-link';

/** Where the WebClient goes when SLACK_API_URL is unset. */
const DEFAULT_API_URL = 'https://slack.com/api/';

/**
 * The start-up checks' client policy: one quick retry, 5 s per try. An unreachable or silent Slack
 * then fails start-up in seconds with one line, where the listeners' budget (3 tries of 10 s) or
 * Socket Mode's own (100 retries) would keep an operator waiting for minutes.
 */
export const START_CHECK_CLIENT = {
  retryConfig: { retries: 1, factor: 1, minTimeout: 500, maxTimeout: 500 },
  timeout: 5_000,
} satisfies webApi.WebClientOptions;

type Setting = 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN';

const ADVICE: Record<Setting, string> = {
  SLACK_BOT_TOKEN: "copy the Bot User OAuth Token again from your app's OAuth & Permissions page.",
  SLACK_APP_TOKEN: "it must be an app-level token (xapp-…) with the connections:write scope, from your app's Basic Information → App-Level Tokens.",
};

/** auth.test with the bot token: who the bot is, or one clear line on what to fix. */
export async function verifyBotToken(client: webApi.WebClient, apiUrl: string | undefined): Promise<{ botId: string; botUserId: string }> {
  try {
    const auth = await client.auth.test();
    return { botId: String(auth.bot_id ?? ''), botUserId: String(auth.user_id ?? '') };
  } catch (err) {
    throw startError(err, 'SLACK_BOT_TOKEN', apiUrl);
  }
}

/**
 * apps.connections.open with the app token, as Socket Mode will ask it. Checked here because the
 * Socket Mode client retries a refused token (`not_allowed_token_type`) forever, quietly.
 */
export async function verifyAppToken(appToken: string, options: webApi.WebClientOptions, apiUrl: string | undefined): Promise<void> {
  try {
    await new webApi.WebClient(appToken, options).apps.connections.open();
  } catch (err) {
    throw startError(err, 'SLACK_APP_TOKEN', apiUrl);
  }
}

/** Slack's refusal names the token; anything else is reaching Slack, which SLACK_API_URL decides. */
function startError(err: unknown, setting: Setting, apiUrl: string | undefined): AppError {
  const code = (err as { data?: { error?: string } }).data?.error;
  if (code) return new AppError('SLACK_AUTH_FAILED', `Slack rejected ${setting} (${code}): ${ADVICE[setting]}`, { slackError: code });
  const status = (err as { statusCode?: number }).statusCode;
  const why = status ? `HTTP ${status}` : hidePasswords(causeOf(err));
  const where = apiUrl
    ? `at ${hidePasswords(apiUrl)}: check SLACK_API_URL`
    : `at ${DEFAULT_API_URL} (SLACK_API_URL unset): check this host's network access, or set SLACK_API_URL to your proxy`;
  return new AppError('SLACK_UNREACHABLE', `Cannot reach Slack to check ${setting}: ${why} ${where}.`, { setting });
}

/** URLs in a start-up line, without the password a proxy URL may carry (the line goes to stderr and logs). */
function hidePasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@/\s]*@/gi, '$1:***@');
}
