import { z } from 'zod';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { JOB_NAMES, type JobName } from '../domain/hygiene';
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
  /**
   * When each job's schedule (in this time zone) took effect, where known: the catch-up runs no
   * slot from before it, which never existed under the schedule then in force.
   */
  schedulesSince?: Partial<Record<JobName, Date>>;
  /** Stored fields that were invalid and are ignored (the configured value is used instead). */
  ignored?: Array<keyof StoredHygieneSettings>;
}

const fields = {
  inactiveDays,
  flagSchedule: cronSchedule,
  reportSchedule: cronSchedule,
  // Null: no channel chosen, so the configured one is used.
  reportChannel: z.string().regex(/^[CG][A-Z0-9]{5,}$/, 'must be a channel').nullish(),
};
/** What leads may change in Slack; stored under one settings key and applied without a restart. */
export const storedHygieneSettings = z.object(fields);
export type StoredHygieneSettings = z.infer<typeof storedHygieneSettings>;

const KEY = 'hygiene';
/** Which schedule each job last ran under, and since when: `{ [job]: { schedule, timezone, since } }`. */
const SCHEDULES_KEY = 'hygiene-schedules';
const scheduleRecord = z.record(z.string(), z.object({ schedule: z.string(), timezone: z.string(), since: z.coerce.date().nullable() }));
type ScheduleRecord = z.infer<typeof scheduleRecord>;

/**
 * Each stored field on its own: an invalid one (a hand edit in the database, or a value an older
 * version accepted) is dropped alone, and named, rather than losing every setting a lead saved.
 */
function readStored(raw: unknown): { values: Partial<StoredHygieneSettings>; ignored: Array<keyof StoredHygieneSettings>; problems: string[] } {
  const doc = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const values: Partial<Record<keyof StoredHygieneSettings, unknown>> = {};
  const ignored: Array<keyof StoredHygieneSettings> = [];
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(fields) as Array<[keyof StoredHygieneSettings, z.ZodType]>) {
    if (doc[name] === undefined) continue;
    const parsed = schema.safeParse(doc[name]);
    if (parsed.success) values[name] = parsed.data;
    else {
      ignored.push(name);
      problems.push(`${name} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    }
  }
  return { values: values as Partial<StoredHygieneSettings>, ignored, problems };
}

/**
 * Records when each job's schedule changed (by a lead, or in the environment across a restart). A
 * job seen for the first time has no date: its schedule is taken to be the one it always had.
 */
async function scheduleSince(settings: SettingsRepository, clock: Clock, current: HygieneSettings): Promise<Partial<Record<JobName, Date>>> {
  const parsed = scheduleRecord.safeParse((await settings.get(SCHEDULES_KEY)) ?? {});
  const record: ScheduleRecord = parsed.success ? parsed.data : {};
  let changed = !parsed.success;
  const since: Partial<Record<JobName, Date>> = {};
  for (const name of JOB_NAMES) {
    const seen = record[name];
    const schedule = current.schedules[name];
    if (!seen) {
      record[name] = { schedule, timezone: current.timezone, since: null };
      changed = true;
    } else if (seen.schedule !== schedule || seen.timezone !== current.timezone) {
      record[name] = { schedule, timezone: current.timezone, since: clock() };
      changed = true;
    }
    const at = record[name]!.since;
    if (at) since[name] = at;
  }
  if (changed) await settings.set(SCHEDULES_KEY, record);
  return since;
}

/** The settings in force: the environment's, overridden by whatever a lead saved in Slack. */
export async function loadHygieneSettings(config: Config, settings: SettingsRepository, logger: Logger, clock: Clock): Promise<HygieneSettings> {
  const base: HygieneSettings = { timezone: config.reportsTimezone, ...config.hygiene, schedules: { ...config.hygiene.schedules } };
  const raw = await settings.get(KEY);
  const { values: s, ignored, problems } = readStored(raw);
  if (problems.length) logger.warn({ problems }, 'some stored hygiene settings are invalid; the configured values are used for those');
  const current: HygieneSettings = {
    ...base,
    inactiveDays: s.inactiveDays ?? base.inactiveDays,
    schedules: { ...base.schedules, 'flag-inactive': s.flagSchedule ?? base.schedules['flag-inactive'], 'hygiene-report': s.reportSchedule ?? base.schedules['hygiene-report'] },
    reportChannel: s.reportChannel ?? base.reportChannel,
    ignored,
  };
  return { ...current, schedulesSince: await scheduleSince(settings, clock, current) };
}

export async function saveHygieneSettings(settings: SettingsRepository, value: StoredHygieneSettings): Promise<void> {
  const parsed = storedHygieneSettings.parse(value);
  // No channel chosen is stored as null (not an absent key): the stored document says what was chosen.
  await settings.set(KEY, { ...parsed, reportChannel: parsed.reportChannel ?? null });
}
