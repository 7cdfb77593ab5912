import type { Logger } from '../../logger';
import type { SettingsRepository } from './settings-repository';

/** A parse of a setting: its value, or why not, by field. */
export type SettingParse<V> = ({ ok: true } & V) | { ok: false; errors: Record<string, string> };

export interface StoredSetting<T, P> {
  /** The value in force: the stored one, or `fallback` while none is stored or it no longer parses (logged). */
  load(): Promise<T>;
  /** Stores `raw` only when it parses; the errors come back by field otherwise. */
  save(raw: unknown): Promise<P>;
}

/**
 * A setting the leads edit, kept in `settings` and checked on the way in and on the way out: a
 * stored value that no longer parses (a hand edit, a stricter version) is ignored and said so —
 * nothing acts on what nobody can see in the form — until a lead saves again. Parsed once per
 * stored value: the cached settings (cached-settings.ts) hand out the same object while they hold
 * it, so a setting read on every message costs no parse. `value` is also what is stored: it must
 * parse again.
 */
export function storedSetting<T, V extends object>(
  deps: { settings: SettingsRepository; logger: Logger },
  spec: { key: string; parse: (raw: unknown) => SettingParse<V>; value: (parsed: { ok: true } & V) => T; fallback: T; invalid: string },
): StoredSetting<T, SettingParse<V>> {
  let last: { raw: unknown; value: T } | undefined;
  return {
    async load() {
      const raw = await deps.settings.get(spec.key);
      if (last && last.raw === raw) return last.value;
      let value = spec.fallback;
      if (raw !== undefined && raw !== null) {
        const parsed = spec.parse(raw);
        if (parsed.ok) value = spec.value(parsed);
        else deps.logger.warn({ key: spec.key, errors: parsed.errors }, spec.invalid);
      }
      last = { raw, value };
      return value;
    },
    async save(raw) {
      const parsed = spec.parse(raw);
      if (parsed.ok) await deps.settings.set(spec.key, spec.value(parsed));
      return parsed;
    },
  };
}
