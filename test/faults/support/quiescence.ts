import { Hang, within } from './hang';
import { redeliver } from './slack-events';
import { DOWNTIME_MS, type Instance, type World } from './world';

/** Clock moved per quiescence round: past claims (60 s), holds (30 s) and the longest backoff (5 min). */
const ROUND_MS = 6 * 60_000;
const MAX_ROUNDS = 12;

/** Waits for `work` of `instance`, but not past its crash (a crashed process's work never ends). */
export async function unlessCrashed(instance: Instance, work: () => Promise<unknown>, what: string): Promise<void> {
  if (instance.t.crashed) return;
  await within(Promise.race([work(), instance.crashed]), `${instance.name}: ${what}`);
}

/**
 * Lets what the last action started finish: inbound messages recorded, Slack posts and WhatsApp
 * sends under way done — except sends of instances parked in a long throttle wait (this very wait
 * may be one of them). Crashes are reaped; nothing due later is forced.
 */
export async function settle(world: World, actionIndex: number): Promise<void> {
  for (const i of world.live()) await unlessCrashed(i, () => i.t.app.bridge.recorded(), 'recording inbound messages');
  for (const i of world.live()) {
    await unlessCrashed(i, () => i.t.app.bridge.toSlack.settled(), 'posting to Slack');
    if (!world.parked.has(i.slot)) await unlessCrashed(i, () => i.t.app.bridge.toWhatsApp.settled(), 'sending to WhatsApp');
  }
  await world.reap(actionIndex);
}

/** After a (re)connect or a restart: the catch-up the app starts by itself, and what it hands over, recorded. */
export async function caughtUp(world: World, instances: Instance[]): Promise<void> {
  for (const i of instances) {
    await unlessCrashed(i, () => i.t.app.bridge.catchUp(), 'catching up with WhatsApp');
    await unlessCrashed(i, () => i.t.app.bridge.recorded(), 'recording what the catch-up brought');
  }
}

/** A count of everything that moves: when a round changes none of it, the run is quiescent. */
async function fingerprint(world: World): Promise<string> {
  const [inbound, outbound] = await Promise.all([world.oracle.messages.countByState('inbound'), world.oracle.messages.countByState('outbound')]);
  return JSON.stringify([inbound, outbound, world.slack.calls.length, world.gateway.sent.length, world.live().length]);
}

/**
 * Brings the run to rest: WhatsApp connected, crashed instances restarted, then rounds of "time
 * passes" — the catch-up and sweep the app would run on its timers, inbound recorded, everything
 * due delivered, the clock moved past claims, holds and backoffs — until a round changes nothing.
 */
export async function quiesce(world: World, actionIndex: number): Promise<void> {
  if (world.gateway.status().state !== 'connected') {
    world.clock.advance(DOWNTIME_MS);
    world.gateway.setState('connected');
    world.log({ type: 'reconnect' });
  }
  let previous = '';
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await world.reap(actionIndex);
    await world.restartDue(actionIndex, true);
    await redeliver(world);
    for (const i of world.live()) {
      await unlessCrashed(i, () => i.t.app.bridge.catchUp(), 'catching up with WhatsApp');
      // The app's own timers, run now: the sweep of half-recorded messages, retries of owed replies.
      const { sweep } = i.t.app.bridge as { sweep?: () => Promise<unknown> };
      if (sweep) await unlessCrashed(i, () => sweep.call(i.t.app.bridge), 'sweeping half-recorded messages');
      const intake = (i.t.app as { replyIntake?: { runDue?: () => Promise<unknown> } }).replyIntake;
      if (intake?.runDue) await unlessCrashed(i, () => intake.runDue!(), 'retrying owed replies');
      await unlessCrashed(i, () => i.t.app.bridge.recorded(), 'recording inbound messages');
    }
    for (const i of world.live()) {
      await unlessCrashed(i, () => i.t.app.bridge.toSlack.runDue(), 'posting due messages to Slack');
      if (!world.parked.has(i.slot)) await unlessCrashed(i, () => i.t.app.bridge.toWhatsApp.runDue(), 'sending due messages to WhatsApp');
    }
    await world.reap(actionIndex);
    world.clock.advance(ROUND_MS);
    const now = await fingerprint(world);
    if (now === previous && world.restartAt.size === 0) return;
    previous = now;
  }
  throw new Hang(`settling (still changing after ${MAX_ROUNDS} rounds, ${(MAX_ROUNDS * ROUND_MS) / 60_000} minutes of app time)`, 0);
}
