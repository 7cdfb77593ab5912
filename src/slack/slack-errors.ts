import { retryLater, failPermanently, type DeliveryError } from '../bridge/dispatch/delivery-error';

/** Slack errors that mean "this will not work however often you try" for this one message. */
const PERMANENT = new Set([
  'channel_not_found',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'thread_not_found',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'restricted_action',
  'too_many_attachments',
  'cant_update_message',
  'message_not_found',
  'file_uploads_disabled',
]);

/** Errors about our credentials: an operator must act; the message itself is fine and waits. */
const CREDENTIALS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope']);

interface WebApiErrorLike {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
  message?: string;
}

/** The Slack error code of a WebClient platform error, if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as WebApiErrorLike;
  return e?.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

/**
 * Maps a WebClient error to what the dispatcher does with the message: 429 waits exactly as long
 * as Slack asks; 5xx, timeouts and network errors retry with backoff; credential errors wait for
 * an operator; the errors above fail the message with its reason.
 */
export function classifySlackError(err: unknown): DeliveryError {
  const error = classify(err);
  error.serviceCode = slackErrorCode(err);
  return error;
}

function classify(err: unknown): DeliveryError {
  const e = err as WebApiErrorLike;
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return retryLater('Slack rate limit', { afterMs: (e.retryAfter ?? 1) * 1000, countAttempt: false });
  }
  const code = slackErrorCode(err);
  if (code === 'ratelimited') return retryLater('Slack rate limit', { afterMs: 1000, countAttempt: false });
  if (code && PERMANENT.has(code)) return failPermanently(code);
  if (code && CREDENTIALS.has(code)) return retryLater(`Slack refused our token (${code})`, { afterMs: 60_000, countAttempt: false });
  if (code) return retryLater(code);
  // slack_webapi_http_error (5xx), slack_webapi_request_error (network, timeout), anything else.
  return retryLater(e?.statusCode ? `Slack HTTP ${e.statusCode}` : (e?.message ?? String(err)));
}
