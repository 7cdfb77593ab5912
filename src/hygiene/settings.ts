import { z } from 'zod';
import type { Config } from '../config';
import type { JobName } from '../domain/hygiene';
import type { Logger } from '../logger';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { cronSchedule, inactiveDays } from './rules';

export interface HygieneSettings {
  timezone: string;
  inactiveDays: number;
  noReplyDays: number;
  optInExpiryDays: number;
  schedules: Record<JobName, string>;
  reportChannel?: string;
}

/** What leads may change in Slack; stored under one settings key and applied without a restart. */
export const storedHygieneSettings = z.object({
  inactiveDays,
  flagSchedule: cronSchedule,
  reportSchedule: cronSchedule,
  reportChannel: z.string().regex(/^[CG][A-Z0-9]{5,}$/, 'must be a channel').optional(),
});
export type StoredHygieneSettings = z.infer<typeof storedHygieneSettings>;

const KEY = 'hygiene';

/** The settings in force: the environment's, overridden by whatever a lead saved in Slack. */
export async function loadHygieneSettings(config: Config, settings: SettingsRepository, logger: Logger): Promise<HygieneSettings> {
  const base: HygieneSettings = { timezone: config.reportsTimezone, ...config.hygiene, schedules: { ...config.hygiene.schedules } };
  const raw = await settings.get(KEY);
  if (raw === undefined) return base;
  const stored = storedHygieneSettings.safeParse(raw);
  if (!stored.success) {
    // Saved through the validated modal, so this means a hand edit in the database: keep the defaults.
    logger.warn({ problems: stored.error.issues.map((i) => `${i.path.join('.')} ${i.message}`) }, 'stored hygiene settings are invalid; using the configured ones');
    return base;
  }
  const s = stored.data;
  return {
    ...base,
    inactiveDays: s.inactiveDays,
    schedules: { ...base.schedules, 'flag-inactive': s.flagSchedule, 'hygiene-report': s.reportSchedule },
    reportChannel: s.reportChannel ?? base.reportChannel,
  };
}

export async function saveHygieneSettings(settings: SettingsRepository, value: StoredHygieneSettings): Promise<void> {
  await settings.set(KEY, storedHygieneSettings.parse(value));
}
