import type { Repositories } from '../../src/store/repositories';
import type { GatewayEvent, WhatsAppGateway } from '../../src/whatsapp/gateway';

/** What every store or WhatsApp call of a crashed app meets: the process is gone. */
export class CrashedError extends Error {
  constructor(what: string) {
    super(`the process crashed: ${what} never happened`);
    this.name = 'CrashedError';
  }
}

/** Gateway members a dead process can still be asked about (its shutdown asks them). */
const STILL_ANSWERED = new Set<PropertyKey>(['status', 'on', 'browserPid', 'start']);

/**
 * Cuts one app off from its store and its WhatsApp session at once, as a crash would: after
 * `pull()`, every repository call and every gateway action of that app fails, its gateway
 * listeners hear nothing more, and its `stop()` leaves the (shared) gateway alone. In-flight work
 * thus ends at its next store call instead of finishing, which is what lets `RunningApp.stop()`
 * release the port and the connection without draining anything.
 */
export class CrashSwitch {
  private pulled = false;
  private readonly unsubscribes = new Set<() => void>();

  get crashed(): boolean {
    return this.pulled;
  }

  pull(): void {
    if (this.pulled) return;
    this.pulled = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes.clear();
  }

  /** The repositories, each method failing once the switch is pulled. */
  repositories(repos: Repositories): Repositories {
    const wrapped: Record<string, unknown> = {};
    for (const [name, repo] of Object.entries(repos)) wrapped[name] = this.guard(repo as object, (method) => `${name}.${method}`);
    return wrapped as Repositories;
  }

  /** The gateway as this app sees it: listeners cut off and actions failing once the switch is pulled. */
  gateway(inner: WhatsAppGateway): WhatsAppGateway {
    const guarded = this.guard(inner, (method) => `whatsapp.${method}`, STILL_ANSWERED);
    return new Proxy({} as WhatsAppGateway, {
      get: (_, key) => {
        if (key === 'on') {
          return (listener: (event: GatewayEvent) => void) => {
            if (this.pulled) return () => {};
            const unsubscribe = inner.on(listener);
            this.unsubscribes.add(unsubscribe);
            return () => {
              this.unsubscribes.delete(unsubscribe);
              unsubscribe();
            };
          };
        }
        // A crashed process does not log out of WhatsApp: the session stays for whoever comes next.
        if (key === 'stop') return () => (this.pulled ? Promise.resolve() : inner.stop());
        return Reflect.get(guarded, key) as unknown;
      },
    });
  }

  // An empty proxy target: repositories are frozen objects, whose own methods a proxy over them could not replace.
  private guard<T extends object>(obj: T, label: (method: string) => string, exempt = new Set<PropertyKey>()): T {
    const cache = new Map<PropertyKey, unknown>();
    return new Proxy({} as T, {
      get: (_, key) => {
        const value = Reflect.get(obj, key, obj) as unknown;
        if (typeof value !== 'function' || exempt.has(key)) return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(obj) : value;
        if (!cache.has(key)) {
          cache.set(key, (...args: unknown[]) => {
            if (this.pulled) return Promise.reject(new CrashedError(label(String(key))));
            // Looked up at call time: a test may replace a method after the app first touched it.
            return (Reflect.get(obj, key, obj) as (...a: unknown[]) => unknown).apply(obj, args);
          });
        }
        return cache.get(key);
      },
    });
  }
}
