import type { webApi } from '@slack/bolt';
import { withTimeout } from '../timeout';

/** A reply does not wait longer than this for an agent's profile (Slack's client would retry for about half a minute). */
export const PROFILE_LOOKUP_MS = 3_000;
/** `{{agent}}` when Slack cannot say who the agent is in time: neutral words, never a Slack user id or handle. */
export const UNKNOWN_AGENT = 'our team';

/**
 * The agent's name as a quick reply's `{{agent}}` shows it to the customer: their Slack display
 * name, else their real name. A lookup that fails or hangs does not hold the reply: it goes now,
 * with `UNKNOWN_AGENT`, and a late answer is ignored.
 */
export async function agentName(client: webApi.WebClient, user: string, timeoutMs = PROFILE_LOOKUP_MS): Promise<string> {
  const found = await withTimeout(client.users.info({ user }), timeoutMs, () => new Error('users.info did not answer in time')).catch(() => undefined);
  const profile = found?.user?.profile;
  return (profile?.display_name || profile?.real_name || '').trim() || UNKNOWN_AGENT;
}
