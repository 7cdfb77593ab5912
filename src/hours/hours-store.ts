import type { Logger } from '../logger';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import type { BusinessHours } from './business-hours';
import { parseBusinessHours, type ParsedBusinessHours } from './schedule-input';

export const HOURS_KEY = 'business-hours';

/** The team's business hours, kept in the store so a change applies at once on every instance. */
export interface HoursStore {
  /** The schedule, read afresh on every call; null when none is set (hours not configured). */
  load(): Promise<BusinessHours | null>;
  /** Parses `raw` and stores it only when it is valid; the errors come back by field otherwise. */
  save(raw: unknown): Promise<ParsedBusinessHours>;
}

export function createHoursStore(deps: { settings: SettingsRepository; logger: Logger }): HoursStore {
  const log = deps.logger.child({ component: 'business-hours' });
  return {
    async load() {
      const raw = await deps.settings.get(HOURS_KEY);
      if (raw === undefined || raw === null) return null;
      // A value that no longer parses (a hand edit, a stricter version) must not make "open/closed"
      // claims from a schedule nobody can see; it is ignored, and said so, until a lead saves again.
      const parsed = parseBusinessHours(raw);
      if (parsed.ok) return parsed.hours;
      log.warn({ key: HOURS_KEY, errors: parsed.errors }, 'stored business hours are invalid: treated as not set');
      return null;
    },
    async save(raw) {
      const parsed = parseBusinessHours(raw);
      if (parsed.ok) await deps.settings.set(HOURS_KEY, parsed.hours);
      return parsed;
    },
  };
}
