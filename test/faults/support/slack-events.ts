import { SIGNING_SECRET } from '../../support/app-harness';
import { postEvent } from '../../support/slack/signed-request';
import type { RunEvent } from './run-events';
import type { Instance, World } from './world';

/** Slack delivers an event once and, while the app does not answer 2xx, retries it three times (minutes apart). */
const SLACK_EVENT_ATTEMPTS = 4;
/** An agent's reply is taken in (or refused, or failed) well within this; then the run goes on regardless. */
const REPLY_TAKEN_MS = 1_500;

/** An Events API delivery Slack still owes the app. */
export interface PendingEvent {
  envelope: object;
  channel: string;
  ts: string;
  /** Deliveries tried so far. */
  attempts: number;
  /** The instance Slack's request reaches first (any running one after that). */
  slot: number;
  /** The run's record of the reply, whose `status` tracks the latest answer. */
  record: Extract<RunEvent, { type: 'reply' }>;
}

/** The instance a request reaches: the one asked for, else any running one. */
export function target(world: World, slot: number): Instance | undefined {
  const wanted = world.slots[slot];
  return wanted && !wanted.t.crashed ? wanted : world.live()[0];
}

/**
 * One delivery of a pending event, as Slack makes it (signed, with `x-slack-retry-num` on retries);
 * on a 200 waits until the app has taken the reply in. Returns whether Slack is done with it.
 */
export async function deliver(world: World, event: PendingEvent): Promise<boolean> {
  const instance = target(world, event.slot);
  if (!instance) return event.attempts >= SLACK_EVENT_ATTEMPTS;
  const retry = event.attempts > 0 ? { headers: { 'x-slack-retry-num': String(event.attempts), 'x-slack-retry-reason': 'http_error' } } : {};
  event.attempts++;
  const since = instance.t.logs.length;
  event.record.status = await postEvent(instance.t.baseUrl, SIGNING_SECRET, event.envelope, retry).then(
    (r) => r.status,
    () => 0,
  );
  if (event.record.status !== 200) return event.attempts >= SLACK_EVENT_ATTEMPTS;
  const deadline = Date.now() + REPLY_TAKEN_MS;
  while (Date.now() < deadline && !instance.t.crashed) {
    if (await world.oracle.messages.findBySlackMessage(event.channel, event.ts)) break;
    if (instance.t.logs.slice(since).some((l) => Number(l.level) >= 50)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** Slack's retries of what the app did not accept: one more try for each (time has passed since the last). */
export async function redeliver(world: World): Promise<void> {
  const due = world.pendingEvents.splice(0);
  for (const event of due) if (!(await deliver(world, event))) world.pendingEvents.push(event);
}

/** How Slack fails a post: it took the message and its answer was lost (500), or it refused it (503). */
export function postFailure(mode: 'accepted500' | 'refused503') {
  if (mode === 'accepted500') return { body: { ok: false, error: 'internal_error' }, status: 500, accepted: true };
  return { body: { ok: false, error: 'service_unavailable' }, status: 503 };
}
