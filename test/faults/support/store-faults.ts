import { MongoNetworkError, MongoServerError } from 'mongodb';
import type { Repositories } from '../../../src/store/repositories';
import type { Fault, StoreEffect } from './schedule';

type StoreFault = Extract<Fault, { kind: 'store' }>;

/**
 * Calls that run on timers rather than on the inbound or outbound path (polls for due work —
 * `dueConversations`, `dueThreads`… —, leases, job slots): not counted, never failed, so that "the
 * Nth call" means the same step of the same schedule on every run.
 */
const BACKGROUND = new Set(['leases', 'jobSlots', 'jobRuns', 'hygiene']);
const isBackground = (repo: string, method: string) => BACKGROUND.has(repo) || /^due[A-Z]/.test(method);

/** A fault that fired: which call it hit, on which instance. */
export interface FiredStoreFault {
  fault: StoreFault;
  call: string;
  instance: string;
}

/** As the driver raises them when a replica-set election or a dropped connection gets in the way. */
export function mongoError(effect: Exclude<StoreEffect, 'crash'>): Error {
  if (effect === 'network') return new MongoNetworkError('connection 7 to 127.0.0.1:27017 closed (injected)');
  return new MongoServerError({ ok: 0, code: 10107, codeName: 'NotWritablePrimary', errmsg: 'not primary (injected)', errorLabels: ['RetryableWriteError'] });
}

/** Thrown into the call a crash stops: the caller never hears back, as its process is gone. */
export class InjectedCrash extends Error {
  constructor(call: string) {
    super(`injected crash at ${call}`);
    this.name = 'InjectedCrash';
  }
}

/**
 * Counts repository calls on the paths (across every instance of a run, once armed) and fails the
 * ones the schedule names: a MongoDB error before the call reached the store or after it was
 * applied (the answer lost), or a crash of the calling instance right there.
 */
export class StoreFaults {
  private calls = 0;
  private armed = false;
  readonly fired: FiredStoreFault[] = [];
  /** Every path call made since arming, in order (for the failure report). */
  readonly trace: string[] = [];

  constructor(private readonly faults: StoreFault[]) {}

  /** Starts counting: set-up is over. */
  arm(): void {
    this.armed = true;
  }

  /** How many path calls were made since arming. */
  get count(): number {
    return this.calls;
  }

  /** The repositories of `instance`; `crash` pulls that instance's crash switch. */
  wrap(repos: Repositories, instance: string, crash: () => void): Repositories {
    const wrapped: Record<string, unknown> = {};
    for (const [name, repo] of Object.entries(repos)) {
      wrapped[name] = isBackground(name, '') ? repo : this.wrapRepo(name, repo as unknown as Record<string, unknown>, instance, crash);
    }
    return wrapped as Repositories;
  }

  private wrapRepo(name: string, repo: Record<string, unknown>, instance: string, crash: () => void): unknown {
    // An empty proxy target: repositories are frozen, and a proxy may not replace a frozen object's own methods.
    return new Proxy({}, {
      get: (_, key) => {
        const value = Reflect.get(repo, key, repo) as unknown;
        const call = `${name}.${String(key)}`;
        if (typeof value !== 'function' || isBackground(name, String(key))) return value;
        const method = value as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => {
          if (!this.armed) return method.apply(repo, args);
          const n = ++this.calls;
          this.trace.push(`${n}:${instance}:${call}`);
          const fault = this.faults.find((f) => f.at === n);
          if (!fault) return method.apply(repo, args);
          this.fired.push({ fault, call, instance });
          return this.fail(fault, call, () => method.apply(repo, args), crash);
        };
      },
    });
  }

  private async fail(fault: StoreFault, call: string, run: () => Promise<unknown>, crash: () => void): Promise<never> {
    if (fault.when === 'after') await run();
    if (fault.effect === 'crash') {
      crash();
      throw new InjectedCrash(call);
    }
    throw mongoError(fault.effect);
  }
}
