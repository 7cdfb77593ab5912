/**
 * How a delivery failed, in the dispatcher's terms. `retry` items stay at the head of their
 * conversation (nothing overtakes them) and are tried again; `permanent` ones are recorded as
 * failed with their reason and shown, and the conversation moves on.
 */
export type DeliveryFailure =
  | { kind: 'retry'; reason: string; afterMs?: number; countAttempt: boolean }
  | { kind: 'permanent'; reason: string; code?: string };

export class DeliveryError extends Error {
  /** The service's own error code behind it, when there is one (Slack's `not_in_channel`, say). */
  serviceCode?: string;

  constructor(readonly failure: DeliveryFailure) {
    super(failure.reason);
    this.name = 'DeliveryError';
  }
}

export const retryLater = (reason: string, options: { afterMs?: number; countAttempt?: boolean } = {}) =>
  new DeliveryError({ kind: 'retry', reason, afterMs: options.afterMs, countAttempt: options.countAttempt ?? true });

/** `code`: what logs carry instead of a `reason` that may name the contact (a consent gate's). */
export const failPermanently = (reason: string, code?: string) => new DeliveryError({ kind: 'permanent', reason, ...(code ? { code } : {}) });

/** Exponential backoff with jitter: base × 2^attempts, capped, times 50–100 %. */
export function backoffMs(attempts: number, random: () => number, baseMs = 1_000, maxMs = 300_000): number {
  return Math.round(Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30)) * (0.5 + random() / 2));
}
