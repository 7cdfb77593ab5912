/**
 * What to do about a failed Graph API send, decided by Meta's error `code` (and HTTP status when
 * there is no code), never by the message text: Meta says titles and messages will change and to
 * build on `code` and `error_data.details` (Meta: whatsapp/support/error-codes). Reasons are plain
 * sentences an agent can read in a Slack thread; the code stays in them for whoever debugs it.
 */
export type SendDecisionKind = 'window_closed' | 'marketing_stopped' | 'rate_limited' | 'rejected' | 'retry';

export interface SendDecision {
  kind: SendDecisionKind;
  reason: string;
  code?: number;
  subcode?: number;
  /** Meta's `error_data.details`, as given. */
  details?: string;
  /** From a Retry-After header, when one came; Meta usually sends none. */
  retryAfterMs?: number;
}

export interface GraphErrorAnswer {
  status: number;
  /** The parsed JSON body, or whatever came (text, nothing). */
  body?: unknown;
  /** The Retry-After header, if any. */
  retryAfter?: string | null;
  now?: Date;
}

type Rule = { kind: SendDecisionKind; reason: string };

// Rate limits: 130429 throughput and 131056 pair rate (Meta throughput page; pair rate secondary).
// 4 (app call limit) and 80007 (WABA call limit) come from secondary sources only (chakrahq,
// heltar, dualhook error pages): UNCONFIRMED on Meta's own page, which could not be read whole.
const RULES: Record<number, Rule> = {
  131047: { kind: 'window_closed', reason: 'More than 24 hours have passed since the customer last wrote, so WhatsApp only accepts a template message now' },
  131050: { kind: 'marketing_stopped', reason: 'The customer has stopped marketing messages from this business in WhatsApp' },
  130429: { kind: 'rate_limited', reason: 'Too many messages were sent from this number in a short time; it will be tried again shortly' },
  131056: { kind: 'rate_limited', reason: 'Too many messages were sent to this customer in a short time; it will be tried again shortly' },
  4: { kind: 'rate_limited', reason: 'The app made too many calls to WhatsApp; it will be tried again shortly' },
  80007: { kind: 'rate_limited', reason: 'The WhatsApp business account reached its call limit; it will be tried again shortly' },
  131049: { kind: 'rejected', reason: 'WhatsApp held this message back to limit marketing messages to this customer; wait at least a day before trying again' },
  131026: { kind: 'rejected', reason: 'The message could not be delivered: the number may not be on WhatsApp, or the customer needs to update WhatsApp' },
  131051: { kind: 'rejected', reason: 'WhatsApp does not support this kind of message' },
  131048: { kind: 'rejected', reason: 'WhatsApp is limiting this number because earlier messages were blocked or reported as spam; an admin should check the number quality' },
  131030: { kind: 'rejected', reason: 'This number is not on the test recipients list of the WhatsApp app' },
  368: { kind: 'rejected', reason: 'The WhatsApp business account is restricted for a policy violation; an admin should check it in WhatsApp Manager' },
  100: { kind: 'rejected', reason: 'WhatsApp refused the message as badly formed' },
  190: { kind: 'rejected', reason: 'The WhatsApp access token is invalid or expired; an admin needs to replace it' },
  132000: { kind: 'rejected', reason: 'The template was sent with the wrong number of parameters' },
  132001: { kind: 'rejected', reason: 'This template does not exist in that language, or is not approved yet' },
  132005: { kind: 'rejected', reason: 'The template text is too long once the parameters are filled in' },
  132007: { kind: 'rejected', reason: 'The template content breaks a WhatsApp policy' },
  132012: { kind: 'rejected', reason: 'A template parameter has the wrong format' },
  132015: { kind: 'rejected', reason: 'This template is paused by WhatsApp because of low quality' },
  132016: { kind: 'rejected', reason: 'This template is disabled by WhatsApp because of low quality' },
  2: { kind: 'retry', reason: 'WhatsApp is temporarily unavailable; it will be tried again' },
};

const TEMPLATE_ERROR: Rule = { kind: 'rejected', reason: 'WhatsApp refused the template message' };

/** Classifies an HTTP answer that was not a success. */
export function classifySendError(answer: GraphErrorAnswer): SendDecision {
  const error = graphError(answer.body);
  const code = error?.code;
  const rule = code === undefined ? undefined : (RULES[code] ?? (code >= 132000 && code < 133000 ? TEMPLATE_ERROR : undefined));
  const kind: SendDecisionKind = rule?.kind ?? (answer.status === 429 ? 'rate_limited' : answer.status >= 500 ? 'retry' : 'rejected');
  const base =
    rule?.reason ??
    (kind === 'rate_limited'
      ? 'WhatsApp asked to slow down; it will be tried again shortly'
      : kind === 'retry'
        ? 'WhatsApp had a temporary problem; it will be tried again'
        : 'WhatsApp refused the message');
  const where = code !== undefined ? `WhatsApp error ${code}` : `HTTP ${answer.status}`;
  const details = error?.details?.trim().replace(/\.+$/, '');
  const decision: SendDecision = { kind, reason: `${base} (${where}${details ? `: ${details}` : ''}).` };
  if (code !== undefined) decision.code = code;
  if (error?.subcode !== undefined) decision.subcode = error.subcode;
  if (error?.details) decision.details = error.details;
  if (kind === 'rate_limited') {
    const wait = retryAfterMs(answer.retryAfter, answer.now ?? new Date());
    if (wait !== undefined) decision.retryAfterMs = wait;
  }
  return decision;
}

/** The request got no HTTP answer at all (reset, timeout, DNS): it may be tried again. */
export function classifyNetworkError(_err: unknown): SendDecision {
  return { kind: 'retry', reason: 'WhatsApp could not be reached; it will be tried again.' };
}

function graphError(body: unknown): { code?: number; subcode?: number; details?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; error_subcode?: unknown; error_data?: { details?: unknown } };
  const details = typeof e.error_data?.details === 'string' ? e.error_data.details : undefined;
  return { code: asInt(e.code), subcode: asInt(e.error_subcode), details };
}

function asInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function retryAfterMs(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
