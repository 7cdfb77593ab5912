import { webApi } from '@slack/bolt';
import { withTimeout } from '../timeout';

/** A reply does not wait longer than this for an agent's profile (Slack's client would retry for about half a minute). */
export const PROFILE_LOOKUP_MS = 3_000;
/** `{{agent}}` when Slack cannot say who the agent is in time: neutral words, never a Slack user id or handle. */
export const UNKNOWN_AGENT = 'our team';

type Profile = { display_name?: string; real_name?: string; first_name?: string };

/** Says nothing: a profile that cannot be read is answered for where it is used. */
const SILENT = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => webApi.LogLevel.ERROR, setName() {} };

/**
 * A client for profile look-ups on the same workspace: one try, bounded, so a look-up given up on
 * is not still retried in the background for half a minute (it would outlive the reply, and a stop).
 */
const lookupClients = new WeakMap<webApi.WebClient, webApi.WebClient>();
function lookupClient(client: webApi.WebClient, timeoutMs: number): webApi.WebClient {
  let quick = lookupClients.get(client);
  if (!quick) {
    quick = new webApi.WebClient(client.token, { slackApiUrl: client.slackApiUrl, retryConfig: { retries: 0 }, timeout: timeoutMs, logger: SILENT });
    lookupClients.set(client, quick);
  }
  return quick;
}

/**
 * An agent's Slack profile, or undefined when Slack does not give it within `timeoutMs` (the
 * caller goes on without it: a reply is never held for a name).
 */
export async function agentProfile(client: webApi.WebClient, user: string, timeoutMs = PROFILE_LOOKUP_MS): Promise<Profile | undefined> {
  const found = await withTimeout(readProfile(lookupClient(client, timeoutMs), user), timeoutMs, () => new Error('users.info did not answer in time')).catch(() => undefined);
  return found?.user ? (found.user.profile ?? {}) : undefined;
}

/**
 * The agent's name as a quick reply's `{{agent}}` shows it to the customer: their Slack display
 * name, else their real name; `UNKNOWN_AGENT` when Slack cannot say in time.
 */
export async function agentName(client: webApi.WebClient, user: string, timeoutMs = PROFILE_LOOKUP_MS): Promise<string> {
  const profile = await agentProfile(client, user, timeoutMs);
  return (profile?.display_name || profile?.real_name || '').trim() || UNKNOWN_AGENT;
}

/** users.info (users:read), on whichever client is given. */
function readProfile(client: webApi.WebClient, user: string) {
  return client.users.info({ user });
}
