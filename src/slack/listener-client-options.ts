import type { webApi } from '@slack/bolt';

/**
 * The Slack client of the listeners (and of what posts through the Bolt app's client: hygiene
 * reports, the admin notifier). The WebClient's default policy retries a failing call 10 times over
 * about 30 minutes: a listener's work would wait in memory that long, and a restart would lose it.
 * Here a call is tried at most 3 times (backoff 0.5 s, then 1 s), each try given up after 10 s, so
 * it fails in about half a minute at worst; a 429 waits its Retry-After, as one of those retries.
 * What must not be lost does not depend on it: replies are stored first (the reply intake, the
 * outbox) and retried durably by their own sweepers.
 */
export const LISTENER_CLIENT_DEFAULTS = {
  retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 1_000 },
  timeout: 10_000,
} satisfies webApi.WebClientOptions;

/** The defaults, then the app's own options, then overrides (tests turn retries off). */
export function listenerClientOptions(base: webApi.WebClientOptions, overrides: webApi.WebClientOptions = {}): webApi.WebClientOptions {
  return { ...LISTENER_CLIENT_DEFAULTS, ...base, ...overrides };
}
