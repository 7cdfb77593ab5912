import type { Logger } from '../logger';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { storedSetting, type StoredSetting } from '../store/repositories/stored-setting';
import type { BusinessHours } from './business-hours';
import { parseBusinessHours, type ParsedBusinessHours } from './schedule-input';

export const HOURS_KEY = 'business-hours';

/** The team's business hours, kept in the store so a change applies at once on every instance. */
export type HoursStore = StoredSetting<BusinessHours | null, ParsedBusinessHours>;

/** null when no schedule is set (hours not configured), or the stored one no longer parses. */
export function createHoursStore(deps: { settings: SettingsRepository; logger: Logger }): HoursStore {
  return storedSetting(deps, {
    key: HOURS_KEY,
    parse: parseBusinessHours,
    value: (parsed) => parsed.hours,
    fallback: null,
    // A schedule nobody can see must not make "open/closed" claims.
    invalid: 'stored business hours are invalid: treated as not set until a lead saves them again',
  });
}
