import type { SettingsRepository } from './settings-repository';

/**
 * Settings read on every inbound message (business hours, the automatic replies) held for a moment
 * instead of read each time. Written through: a change saved on this instance applies here at once;
 * other instances see it within `ttlMs`. A value is handed out as the same object while it is held,
 * so a reader can keep what it parsed from it (see auto-replier.ts). Freshness runs on the process's
 * own monotonic time, not the injected clock: it is about the store, not the business day.
 */
export function cachedSettings(inner: SettingsRepository, keys: readonly string[], ttlMs: number, now: () => number = () => performance.now()): SettingsRepository {
  const held = new Map<string, { value: unknown; at: number }>();
  const cached = new Set(keys);
  return {
    async get(key) {
      if (!cached.has(key)) return inner.get(key);
      const hit = held.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const value = await inner.get(key);
      held.set(key, { value, at: now() });
      return value;
    },
    async set(key, value) {
      held.delete(key);
      await inner.set(key, value);
      if (cached.has(key)) held.set(key, { value, at: now() });
    },
  };
}
