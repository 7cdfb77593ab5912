import { contactWaId, inbound, perform } from './actions';
import { redeliver } from './slack-events';
import { checkInvariants } from './invariants';
import { INVARIANTS, type Violation } from './violations';
import { Hang } from './hang';
import { caughtUp, quiesce, settle, unlessCrashed } from './quiescence';
import type { Action, Fault, Schedule } from './schedule';
import { DOWNTIME_MS, World } from './world';

/** What one schedule did: the faults that actually fired, and the promises it broke. */
export interface RunReport {
  violations: Violation[];
  fired: string[];
  /** Repository calls made on the paths after set-up (how far a store fault's `at` can reach). */
  pathCalls: number;
  ms: number;
}

/**
 * Runs one schedule against the real app: set-up without faults (each contact writes once, so a
 * thread exists), then each action followed by settling, with the schedule's faults firing where
 * they fall; then quiescence, then the invariants (`beforeChecks` sees the world first: the
 * runner's own tests).
 */
export async function runSchedule(schedule: Schedule, hooks: { beforeChecks?: (world: World) => Promise<void> } = {}): Promise<RunReport> {
  const started = performance.now();
  const world = new World(schedule);
  try {
    await world.open();
    for (let c = 0; c < schedule.contacts; c++) inbound(world, contactWaId(c), `hello from ${c}`);
    await settle(world, 0);
    await quiesce(world, 0);
    world.arm();

    const queue: Action[] = [...schedule.actions];
    let index = 0;
    // A long throttle wait: the next action, and the other instances' due sends, happen meanwhile.
    world.interject = async (slot) => {
      const next = queue.shift();
      if (next) {
        index++;
        await perform(world, next);
        await settle(world, index);
      }
      for (const other of world.live()) {
        if (other.slot !== slot && !world.parked.has(other.slot)) await unlessCrashed(other, () => other.t.app.bridge.toWhatsApp.runDue(), 'sending due messages to WhatsApp');
      }
    };
    while (queue.length > 0) {
      await connection(world, index);
      const restarted = await world.restartDue(index);
      await caughtUp(world, restarted);
      await redeliver(world);
      // A long throttle wait meanwhile may have taken the action already.
      const action = queue.shift();
      if (!action) break;
      index++;
      await perform(world, action);
      await settle(world, index);
      await world.parksDone();
      await settle(world, index);
    }
    await world.parksDone();
    await quiesce(world, index);
    await world.parksDone();
    await hooks.beforeChecks?.(world);
    return report(world, await checkInvariants(world), started);
  } catch (err) {
    if (!(err instanceof Hang)) throw err;
    return report(world, [{ invariant: 'quiescence', detail: err.message }], started);
  } finally {
    await world.close();
  }
}

/** WhatsApp's connection as the schedule's disconnect faults want it before action `index`; a reconnect is followed by its catch-up. */
async function connection(world: World, index: number): Promise<void> {
  const down = world.schedule.faults.some((f: Fault) => f.kind === 'disconnect' && f.at <= index && index < f.at + f.length);
  const state = world.gateway.status().state;
  if (down && state === 'connected') {
    world.gateway.setState('disconnected', 'phone offline (injected)');
    world.log({ type: 'disconnect' });
    world.firedOther.push(`WhatsApp disconnected before action ${index + 1}`);
  } else if (!down && state !== 'connected') {
    // A disconnect lasts a while: replies that waited for WhatsApp are due again when it is back.
    world.clock.advance(DOWNTIME_MS);
    world.gateway.setState('connected');
    world.log({ type: 'reconnect' });
    await caughtUp(world, world.live());
  }
}

function report(world: World, violations: Violation[], started: number): RunReport {
  const fired = [
    ...world.faults.fired.map((f) => `store ${f.fault.effect} ${f.fault.when} call ${f.fault.at} = ${f.call} on ${f.instance}`),
    ...world.firedOther,
  ];
  // FAULTS_DEBUG=1: the apps' own log lines and the path calls, to see where a run went wrong.
  if (process.env.FAULTS_DEBUG) {
    for (const i of world.slots) for (const l of i?.t.logs ?? []) console.log(i!.name, JSON.stringify(l));
    console.log(world.faults.trace.join('\n'));
    console.log(JSON.stringify({ events: world.events, sends: world.gateway.probed }, null, 1));
  }
  return { violations, fired, pathCalls: world.faults.count, ms: Math.round(performance.now() - started) };
}

/** A report as a failure message: each broken invariant by name, then what fired. */
export function describeReport(r: RunReport): string {
  const names: Record<string, string> = { ...INVARIANTS, quiescence: '0. the run comes to rest' };
  const lines = r.violations.map((v) => `  ✗ ${names[v.invariant] ?? v.invariant}: ${v.detail}`);
  return [`${r.violations.length} invariant violation(s):`, ...lines, `faults that fired: ${r.fired.join('; ') || 'none'}`, `path calls after set-up: ${r.pathCalls}`].join('\n');
}
