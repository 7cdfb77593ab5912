import { HTTPModuleFunctions, type BufferedIncomingMessage, type ReceiverEvent, type ReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { withTimeout } from '../timeout';
import type { SeenRequestRepository } from '../store/repositories/seen-request-repository';

/** The custom property the receiver leaves the verified signature in; taken off before Bolt builds the context. */
const STAMP = 'slackSignedRequest';
/**
 * How long a signature is kept after its timestamp. Bolt refuses a request stamped more than five
 * minutes before its own clock, so a copy can only get through within that window; five more
 * minutes cover clocks that differ between Slack, the instances and MongoDB (whose TTL monitor does
 * the removing, and only ever late).
 */
const KEEP_AFTER_TIMESTAMP_SEC = 10 * 60;
/** Slack retries an Events API delivery three times. */
const SLACK_EVENT_RETRIES = 3;
/** How long a request waits for the store's answer: its ack is due within 3 s. */
export const STORE_CHECK_MS = 1_000;

/** The verified signature headers of a request over HTTP. */
interface SignedStamp {
  signature: string;
  timestampSec: number;
}

/**
 * The HTTP receiver's `customPropertiesExtractor`: the signature and timestamp Bolt has just
 * verified, for the guard. (Requests over Socket Mode carry none, see {@link createReplayGuard}.)
 */
export function signatureStamp(req: BufferedIncomingMessage): Record<string, unknown> {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const signature = header('x-slack-signature');
  const timestampSec = Number(header('x-slack-request-timestamp'));
  return typeof signature === 'string' && Number.isFinite(timestampSec) ? { [STAMP]: { signature, timestampSec } satisfies SignedStamp } : {};
}

/** A signed request whose signature was seen before: answered 401, never processed. */
export class ReplayedRequestError extends Error {
  readonly code = 'SLACK_REQUEST_REPLAYED';
  constructor() {
    super('A copy of a Slack request already received');
    this.name = 'ReplayedRequestError';
  }
}

/**
 * The HTTP receiver's `processEventErrorHandler`: a replay gets the answer Bolt gives a request
 * whose signature does not verify (401, no body); anything else is handled as Bolt does.
 */
export async function answerReplays(args: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> {
  if (!(args.error instanceof ReplayedRequestError)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  HTTPModuleFunctions.buildNoBodyResponse(args.response, 401);
  return true;
}

/** What a request is, for a log line: its kind, command, action or event type and team; never its text or its user. */
export function requestKind(body: Record<string, unknown>): Record<string, unknown> {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Slack payloads vary by kind
  if (typeof b.command === 'string') return { kind: 'command', command: b.command, team: b.team_id };
  if (b.type === 'event_callback') return { kind: 'event_callback', eventType: b.event?.type, team: b.team_id };
  return { kind: b.type, actionId: b.actions?.[0]?.action_id, callbackId: b.view?.callback_id ?? b.callback_id, team: b.team?.id ?? b.team_id };
}

/** The store's answer to "first sight?" within `ms`; `undefined` (with the reason) if it failed or was too slow. */
export async function askInTime(ask: () => Promise<boolean>, ms: number): Promise<{ first: boolean | undefined; err?: unknown }> {
  try {
    return { first: await withTimeout(ask(), ms, () => new Error(`no answer from the store within ${ms} ms`)) };
  } catch (err) {
    return { first: undefined, err };
  }
}

export interface ReplayGuardDeps {
  seen: Pick<SeenRequestRepository, 'firstSight'>;
  clock: Clock;
  logger: Logger;
  /** Defaults to {@link STORE_CHECK_MS}. */
  checkMs?: number;
}

export interface ReplayGuard {
  /**
   * The request, without its stamp, if its signature had not been seen (by any instance); throws
   * {@link ReplayedRequestError} for a copy. Requests without a stamp (Socket Mode) pass as they are.
   */
  admit(event: ReceiverEvent): Promise<ReceiverEvent>;
}

/**
 * Refuses a signed request that was received before. Bolt checks the signature and refuses a
 * timestamp over five minutes old, but a copy of a captured request sent within those five minutes
 * verifies just as well. Every request's signature (which covers its timestamp and body) is
 * recorded in MongoDB with one insert, shared by every instance; a copy finds it there.
 *
 * Slack's own retries of an event are new requests, signed again (with `x-slack-retry-num`), and
 * pass; a retry's effects are deduplicated where they happen (a reply is keyed on its Slack
 * message). Socket Mode requests are not signed and need no guard: they come over the WebSocket
 * the app opened to Slack with its app token, which nobody else can send into.
 *
 * When the store cannot answer in time, the request is taken, with a warning. Refusing would turn
 * a store outage into Slack-wide failures: Slack would give up on retried events, so an agent's
 * thread reply would be lost instead of the agent being told to send it again, and would disable
 * the app's event subscriptions after enough failures. Taking it risks little: Bolt has proven the
 * request authentic and recent, and every effect worth replaying (a WhatsApp message, a consent
 * change, an erasure) is written to that same store, and keyed where it takes effect.
 */
export function createReplayGuard(deps: ReplayGuardDeps): ReplayGuard {
  const log = deps.logger.child({ component: 'replay-guard' });
  const checkMs = deps.checkMs ?? STORE_CHECK_MS;
  return {
    async admit(event) {
      const { [STAMP]: stamp, ...customProperties } = event.customProperties ?? {};
      if (!stamp) return event;
      const { signature, timestampSec } = stamp as SignedStamp;
      const admitted = { ...event, customProperties };
      const key = signature + retrySuffix(event);
      const expiresAt = new Date((timestampSec + KEEP_AFTER_TIMESTAMP_SEC) * 1000);
      const { first, err } = await askInTime(() => deps.seen.firstSight(key, deps.clock(), expiresAt), checkMs);
      if (first) return admitted;
      // Measured on the wall clock, as Bolt measures the five-minute window.
      const context = { ...requestKind(event.body), requestAgeSec: Math.round(Date.now() / 1000 - timestampSec), ...(event.retryNum ? { retryNum: event.retryNum } : {}) };
      if (first === undefined) {
        log.warn({ err, ...context }, 'could not check the Slack request for a replay; taken (the store did not answer)');
        return admitted;
      }
      log.warn(context, 'replayed Slack request refused');
      throw new ReplayedRequestError();
    },
  };
}

/**
 * Tells Slack's retries of an event apart from the attempt before them. A retry is signed again,
 * but one made within the same second carries the same timestamp, so the same signature; only
 * `x-slack-retry-num` (not signed) differs. Only for events, whose effects are keyed on the event
 * itself, and only Slack's three retries: a copy with a made-up number gets at most three more
 * tries, each a repeat those keys already absorb.
 */
function retrySuffix(event: ReceiverEvent): string {
  const n = event.retryNum;
  return event.body.type === 'event_callback' && n !== undefined && Number.isInteger(n) && n >= 1 && n <= SLACK_EVENT_RETRIES ? `#retry${n}` : '';
}
