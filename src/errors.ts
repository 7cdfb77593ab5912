/**
 * Known failures carry a code; handlers branch on the code, never on the message. Messages are
 * written for the person who will read them (an operator at start-up, an agent in Slack).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'SLACK_AUTH_FAILED'
  | 'SLACK_UNREACHABLE'
  | 'SIMULATOR_REFUSED'
  | 'INVALID_PHONE'
  | 'QUICK_REPLY_EXISTS'
  | 'LABEL_EXISTS'
  | 'CONTACT_NOT_FOUND'
  | 'CONTACT_ERASED'
  | 'CONTACT_SUPPRESSED'
  | 'LABEL_NOT_FOUND'
  | 'BAD_ARGUMENTS'
  | 'JOB_BUSY'
  | 'WHATSAPP_TIMEOUT'
  | 'LISTENER_CONFLICT'
  | 'SLACK_REQUEST_REPLAYED'
  | 'SLACK_VIEW_ALREADY_SUBMITTED'
  | 'FORBIDDEN'
  | 'BROADCAST_NOT_FOUND'
  | 'BROADCAST_STATE'
  | 'BROADCAST_EMPTY'
  | 'BROADCAST_TOO_LARGE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
