import type { Connection } from 'mongoose';
import { connectStore } from '../../../src/store/connect';
import { createModels } from '../../../src/store/models';
import { createRepositories, type Repositories } from '../../../src/store/repositories';
import { testPrivacy } from '../../support/privacy';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock } from '../../support/bridge-helpers';
import { CrashSwitch } from '../../support/crash-switch';
import { testServerUri, uniqueDbName } from '../../support/mongo';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api';
import { within } from './hang';
import { ProbedGateway } from './probed-gateway';
import type { Fault, Schedule } from './schedule';
import { postFailure, type PendingEvent } from './slack-events';
import type { RunEvent, WithoutSeq } from './run-events';
import { StoreFaults } from './store-faults';

/** A running instance of the app in one of the run's slots (a crashed one is replaced in its slot). */
export type { RunEvent } from './run-events';

export interface Instance {
  slot: number;
  name: string;
  t: TestApp;
  /** Resolves when a fault pulls its crash switch: waits on it are abandoned then. */
  crashed: Promise<void>;
}

/** Longer than a claim (60 s): a throttle wait this long lets the claim lapse. */
const SLOW_SEND_MS = 61_000;
/**
 * How long a WhatsApp disconnect or a crashed instance's downtime lasts: past a claim (60 s) and
 * the offline retry (15 s), so what waited is due again when the app is back.
 */
export const DOWNTIME_MS = 61_000;

/**
 * One run's world: a fresh database, the fake Slack API and the (probed) fake WhatsApp shared by
 * every instance, one manual clock, the fault counters, and a connection of its own to read the
 * store as the judge of the invariants.
 */
export class World {
  readonly clock = manualClock(new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000).toISOString());
  readonly dbName = uniqueDbName('faults');
  readonly events: RunEvent[] = [];
  readonly faults: StoreFaults;
  readonly slots: Array<Instance | undefined> = [];
  /** Action index at which a crashed slot's replacement starts. */
  readonly restartAt = new Map<number, number>();
  readonly firedOther: string[] = [];
  /** Called inside a throttle wait the schedule makes long (slowSend); the runner fills it in. */
  interject: (slot: number) => Promise<void> = async () => {};
  /** Slots whose send is waiting in a long throttle wait right now (their dispatcher cannot settle meanwhile). */
  readonly parked = new Set<number>();
  private readonly parkings = new Set<Promise<void>>();
  private readonly interjectErrors: unknown[] = [];
  /** Agents' replies Slack could not deliver yet (no instance running, or no 2xx): it retries them. */
  readonly pendingEvents: PendingEvent[] = [];
  slack!: FakeSlackApi;
  gateway!: ProbedGateway;
  oracle!: Repositories;
  private connection!: Connection;
  private seq = 0;
  private armed = false;
  private posts = 0;
  private sleeps = 0;
  private generation = 0;

  constructor(readonly schedule: Schedule) {
    this.faults = new StoreFaults(schedule.faults.filter((f): f is Extract<Fault, { kind: 'store' }> => f.kind === 'store'));
  }

  nextSeq = (): number => ++this.seq;

  async open(): Promise<void> {
    this.slack = await startFakeSlackApi();
    this.slack.respond('chat.postMessage', () => this.slackAnswer());
    this.connection = await connectStore(testServerUri(), { dbName: this.dbName });
    this.oracle = createRepositories(createModels(this.connection), this.clock.clock, testPrivacy());
    this.gateway = new ProbedGateway(this.clock.clock, async (chatId) => (await this.oracle.contacts.findByWaId(chatId))?.consent.status ?? 'no contact', this.nextSeq);
    for (let slot = 0; slot < this.schedule.instances; slot++) this.slots[slot] = await this.start(slot);
  }

  /** Set-up is over: faults count from here. */
  arm(): void {
    this.armed = true;
    this.faults.arm();
  }

  live(): Instance[] {
    return this.slots.filter((i): i is Instance => i !== undefined && !i.t.crashed);
  }

  /** WhatsApp hears a message only through a running, connected instance; otherwise it waits on the phone. */
  appListening(): boolean {
    return this.gateway.status().state === 'connected' && this.live().length > 0;
  }

  log(event: WithoutSeq<RunEvent>): RunEvent {
    const full = { ...event, seq: this.nextSeq() } as RunEvent;
    this.events.push(full);
    return full;
  }

  /** Starts an instance in `slot` on the run's database, fakes and clock. */
  async start(slot: number): Promise<Instance> {
    const name = `${String.fromCharCode(65 + slot)}${++this.generation}`;
    const crashSwitch = new CrashSwitch();
    let crashed!: () => void;
    const signal = new Promise<void>((resolve) => (crashed = resolve));
    const pull = (downFor: number) => {
      crashSwitch.pull();
      this.restartAt.set(slot, downFor);
      crashed();
    };
    const t = await startTestApp({}, {
      dbName: this.dbName,
      keepDb: true,
      slack: this.slack,
      gateway: this.gateway,
      clock: this.clock.clock,
      crashSwitch,
      wrapGateway: (chain) => this.gateway.watchChecks(chain),
      sendThrottle: { sleep: (ms) => this.sleep(slot, ms), random: () => 0.5 },
      wrapRepositories: (repos) => this.faults.wrap(repos, name, () => pull(this.faults.fired.at(-1)?.fault.downFor ?? 0)),
    });
    return { slot, name, t, crashed: signal };
  }

  /** Finishes the crash of every instance whose switch was pulled; their slots stay empty until `restartDue`. */
  async reap(actionIndex: number): Promise<void> {
    for (const instance of this.slots) {
      if (!instance?.t.crashed) continue;
      this.slots[instance.slot] = undefined;
      await instance.t.crash();
      this.log({ type: 'crash', instance: instance.name });
      this.restartAt.set(instance.slot, actionIndex + (this.restartAt.get(instance.slot) ?? 0));
    }
  }

  /** Starts replacements for crashed slots whose downtime is over (all of them with `all`); returns them. */
  async restartDue(actionIndex: number, all = false): Promise<Instance[]> {
    const started: Instance[] = [];
    for (const [slot, at] of [...this.restartAt]) {
      if (this.slots[slot] || (!all && at > actionIndex)) continue;
      this.restartAt.delete(slot);
      // A restart takes a while: the crashed instance's claims have lapsed by the time it is back.
      this.clock.advance(DOWNTIME_MS);
      const instance = await this.startRetrying(slot);
      this.slots[slot] = instance;
      this.log({ type: 'restart', instance: instance.name });
      started.push(instance);
    }
    return started;
  }

  /** A crash injected while the app was still starting fails its start-up: the next start is the restart. */
  private async startRetrying(slot: number): Promise<Instance> {
    for (let attempt = 1; ; attempt++) {
      try {
        const instance = await this.start(slot);
        this.restartAt.delete(slot);
        return instance;
      } catch (err) {
        if (attempt >= 3) throw err;
        this.log({ type: 'crash', instance: `${String.fromCharCode(65 + slot)}${this.generation}` });
      }
    }
  }

  async close(): Promise<void> {
    // Crashed, not drained: quicker, and a run that hung must not hang its clean-up too.
    for (const instance of this.slots) if (instance) await within(instance.t.crash(), `${instance.name}: stopping`).catch(() => undefined);
    await this.connection.db!.dropDatabase().catch(() => undefined);
    await this.connection.close();
    await this.slack.close();
  }

  private slackAnswer() {
    if (!this.armed) return undefined;
    const n = ++this.posts;
    const fault = this.schedule.faults.find((f): f is Extract<Fault, { kind: 'slack' }> => f.kind === 'slack' && f.nth === n);
    if (!fault) return undefined;
    this.firedOther.push(`slack ${fault.mode} on post ${n}`);
    return postFailure(fault.mode);
  }

  /** The throttle's wait: time moves instead; a long one (slowSend) lets the rest of the world act meanwhile. */
  private async sleep(slot: number, ms: number): Promise<void> {
    this.clock.advance(ms);
    if (!this.armed) return;
    const n = ++this.sleeps;
    if (!this.schedule.faults.some((f) => f.kind === 'slowSend' && f.nth === n)) return;
    this.firedOther.push(`slow send ${n} on slot ${slot}`);
    this.clock.advance(SLOW_SEND_MS);
    this.parked.add(slot);
    // What goes wrong meanwhile is the run's, not the app's: the runner rethrows it (parksDone).
    const parking = this.interject(slot).catch((err: unknown) => void this.interjectErrors.push(err)).finally(() => {
      this.parked.delete(slot);
      this.parkings.delete(parking);
    });
    this.parkings.add(parking);
    await parking;
  }

  /** Resolves once no send is parked in a long throttle wait (what was done meanwhile included); rethrows what failed meanwhile. */
  async parksDone(): Promise<void> {
    while (this.parkings.size > 0) await Promise.allSettled([...this.parkings]);
    if (this.interjectErrors.length > 0) throw this.interjectErrors[0];
  }
}
