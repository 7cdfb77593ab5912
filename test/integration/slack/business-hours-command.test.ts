import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';
import { createHoursStore } from '../../../src/hours/hours-store';

const HOUR = 3_600_000;
let n = 0;

/** Weekdays 09:00–17:00 (Tuesday split at lunch), Saturday overnight, Sunday closed, one past and one coming closed date. */
const SCHEDULE = {
  mon: [{ from: '09:00', to: '17:00' }],
  tue: [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '17:00' }],
  wed: [{ from: '09:00', to: '17:00' }],
  thu: [{ from: '09:00', to: '17:00' }],
  fri: [{ from: '09:00', to: '17:00' }],
  sat: [{ from: '22:00', to: '02:00' }],
  sun: [],
  closedDates: ['2026-01-01', '2026-12-25'],
};

/** `/wa hours` and the open-state line of `/wa status`, over signed slash commands. */
describe('business hours command', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  // 2026-11-25 09:00 UTC is a Wednesday, 09:00 in London (GMT in November).
  const time = manualClock('2026-11-25T09:00:00Z');
  beforeEach(async () => {
    t = await startTestApp({ TZ_REPORTS: 'Europe/London', SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  const store = () => createHoursStore({ settings: t.app.deps.repos.settings, logger: t.app.deps.logger });

  /** Runs `/wa <text>` as an agent (not a lead) and returns the ephemeral answer's text. */
  async function wa(text: string): Promise<string> {
    const id = `h${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, response_url: slack.responseUrl(id) });
    const answer = await slack.waitForResponse((p) => p.id === id);
    expect(answer.body.response_type).toBe('ephemeral');
    return String(answer.body.text);
  }

  it('when no schedule is set, then /wa hours says so and makes no open or closed claim, and /wa status has no hours line', async () => {
    const hours = await wa('hours');
    expect(hours).toMatch(/No business hours are set/);
    expect(hours).toMatch(/leads/);
    expect(hours).not.toMatch(/open now|closed —/);
    expect(await wa('status')).not.toMatch(/Business hours/);
    expect(await wa('help')).toContain('`/wa hours`');
  });

  it('when a schedule is saved, then /wa hours shows each weekday, the coming closed dates and that it is open now', async () => {
    expect(await store().save(SCHEDULE)).toMatchObject({ ok: true });
    expect(await wa('hours')).toBe(
      [
        '*Business hours* (Europe/London) — open now',
        'Mon 09:00–17:00',
        'Tue 09:00–12:00, 13:00–17:00',
        'Wed 09:00–17:00',
        'Thu 09:00–17:00',
        'Fri 09:00–17:00',
        'Sat 22:00–02:00 (overnight)',
        'Sun closed',
        '*Closed dates:* 2026-12-25',
      ].join('\n'),
    );
  });

  it('when the clock is outside the hours, then /wa hours and /wa status say when it opens, read from the store on each call', async () => {
    await store().save(SCHEDULE);
    expect(await wa('status')).toContain('*Business hours:* open now');
    time.advance(9 * HOUR); // Wednesday 18:00
    expect(await wa('hours')).toMatch(/^\*Business hours\* \(Europe\/London\) — closed — opens Thu 09:00\n/);
    expect(await wa('status')).toContain('*Business hours:* closed — opens Thu 09:00');
    await store().save({ ...SCHEDULE, wed: [{ from: '09:00', to: '20:00' }] });
    expect(await wa('status')).toContain('*Business hours:* open now');
  });

  it('when the stored schedule no longer parses, then it counts as not set and the problem is logged', async () => {
    await t.app.deps.repos.settings.set('business-hours', { mon: [{ from: '9am', to: '17:00' }] });
    expect(await store().load()).toBeNull();
    expect(await wa('hours')).toMatch(/No business hours are set/);
    expect(t.logs.some((l) => String(l.msg).includes('stored business hours') && JSON.stringify(l).includes('mon.0.from'))).toBe(true);
  });

  it('when a schedule with errors is saved, then nothing is stored and the errors are returned by field', async () => {
    const result = await store().save({ ...SCHEDULE, mon: [{ from: '17:00', to: '17:00' }] });
    expect(result).toMatchObject({ ok: false, errors: { 'mon.0.to': expect.any(String) } });
    expect(await t.app.deps.repos.settings.get('business-hours')).toBeUndefined();
  });
});
