import { createHmac } from 'node:crypto';

/** How to sign: by default correctly, now. */
export interface SignOptions {
  /** Seconds since the epoch; defaults to now. */
  timestampSec?: number;
  /** Stamp the request six minutes ago, past Slack's five-minute replay window (ignored if `timestampSec` is given). */
  expired?: boolean;
  /** Sign with this secret instead (a forged request). */
  forgeWith?: string;
  /** Extra HTTP headers, e.g. Slack's `x-slack-retry-num` on a redelivered event. */
  headers?: Record<string, string>;
}

/** Beyond Bolt's five-minute staleness limit, with a minute's margin for slow machines. */
const EXPIRED_AGE_SEC = 6 * 60;

/** Slack's v0 request signature headers for `body`: HMAC-SHA256 of `v0:${timestampSec}:${body}`. */
export function signSlackRequest(body: string, secret: string, timestampSec = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestampSec) };
}

/** What the receiver answered; `body` is the raw text (Bolt acks slash commands with an empty body). */
export interface SignedResponse {
  status: number;
  body: string;
}

async function post(url: string, body: string, contentType: string, secret: string, options: SignOptions): Promise<SignedResponse> {
  const now = Math.floor(Date.now() / 1000);
  const timestampSec = options.timestampSec ?? (options.expired ? now - EXPIRED_AGE_SEC : now);
  const headers = { 'content-type': contentType, ...options.headers, ...signSlackRequest(body, options.forgeWith ?? secret, timestampSec) };
  const res = await fetch(`${url.replace(/\/$/, '')}/slack/events`, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/**
 * Slash-command form fields; everything but `response_url` defaults (team T0TEAM, channel C0INBOX,
 * user U0AGENT, command /wa). `response_url` is required so `respond()` lands on a fake, never nowhere.
 */
export interface SlashCommand {
  command?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  team_id?: string;
  trigger_id?: string;
  response_url: string;
}

/** POSTs a signed slash command, as Slack does, to the app's HTTP receiver at `baseUrl`. */
export function postSlashCommand(baseUrl: string, secret: string, fields: SlashCommand, options: SignOptions = {}): Promise<SignedResponse> {
  const form = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'test',
    channel_id: 'C0INBOX',
    channel_name: 'inbox',
    user_id: 'U0AGENT',
    user_name: 'agent',
    command: '/wa',
    text: '',
    api_app_id: 'A0APP',
    trigger_id: '1.2.3',
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  });
  return post(baseUrl, form.toString(), 'application/x-www-form-urlencoded', secret, options);
}

/** POSTs a signed interactivity payload (block_actions, view_submission, shortcut…). */
export function postInteraction(baseUrl: string, secret: string, payload: object, options: SignOptions = {}): Promise<SignedResponse> {
  const form = new URLSearchParams({ payload: JSON.stringify(payload) });
  return post(baseUrl, form.toString(), 'application/x-www-form-urlencoded', secret, options);
}

/** POSTs a signed Events API envelope. */
export function postEvent(baseUrl: string, secret: string, envelope: object, options: SignOptions = {}): Promise<SignedResponse> {
  return post(baseUrl, JSON.stringify(envelope), 'application/json', secret, options);
}
