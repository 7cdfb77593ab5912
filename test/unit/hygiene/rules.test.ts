import { loadConfig } from '../../../src/config';
import { isAppError, type AppError } from '../../../src/errors';
import { cronSchedule } from '../../../src/hygiene/rules';
import { validEnv } from '../../support/env';

const ONCE_AN_HOUR = 'must run at most once an hour: give one minute, like "0 9 * * 1" (Mondays at 09:00), not "*", a list, a range or a step';

describe('hygiene schedule rules', () => {
  it('when a schedule fires more than once in an hour, then it is refused with the reason; one minute in any hours is accepted', () => {
    for (const s of ['* 9 * * 1', '*/15 3 * * *', '0,30 9 * * *', '0-5 9 * * *']) {
      expect(cronSchedule.safeParse(s).error?.issues.map((i) => i.message)).toEqual([ONCE_AN_HOUR]);
    }
    for (const s of ['0 9 * * 1', '0 * * * *', '30 8-17 * * 1-5', '15 3 L * *']) expect(cronSchedule.safeParse(s).success).toBe(true);
    // Not a cron expression at all: that is the reason given, not the hourly rule.
    expect(cronSchedule.safeParse('every minute').error?.issues.map((i) => i.message)).toEqual(['must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily)']);
  });

  it('when the environment sets such a schedule, then the configuration names the key and the reason', () => {
    let problems: string[] = [];
    try {
      loadConfig(validEnv({ HYGIENE_REPORT_SCHEDULE: '* 9 * * 1', HYGIENE_FLAG_SCHEDULE: '0 3 * * *' }));
    } catch (err) {
      if (!isAppError(err, 'CONFIG_INVALID')) throw err;
      problems = (err as AppError).details.problems as string[];
    }
    expect(problems).toEqual([`HYGIENE_REPORT_SCHEDULE ${ONCE_AN_HOUR}`]);
  });
});
