import type { Repositories } from '../../../src/store/repositories';
import { previousSlot } from '../../../src/hygiene/previous-slot';
import { startTestApp } from '../../support/app-harness';
import { manualClock } from '../../support/bridge-helpers';
import { CrashSwitch, CrashedError } from '../../support/crash-switch';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** The scheduler's claim on a slot (start-app.ts): a crashed run's slot is taken over after it. */
const LEASE_MS = 30 * MINUTE;
const env = { HYGIENE_REPORT_CHANNEL: 'C0REPORTS', HYGIENE_REPORT_SCHEDULE: '0 9 * * 1', TZ_REPORTS: 'Europe/London' };

/** A scheduled report whose instance dies after Slack took the post and before the run was recorded. */
describe('the scheduled hygiene report across a crash', () => {
  const slack = useFakeSlackApi();
  const reportPosts = () => slack.callsTo('chat.postMessage').filter((c) => c.result && JSON.stringify(c.args.blocks ?? '').includes('List hygiene report'));

  /** Slack's channel history (newest first, metadata included when asked), which the fake does not keep by itself. */
  function channelHistory(): void {
    slack.respond('conversations.history', (call: SlackCall) => {
      const oldest = Number(call.args.oldest ?? 0);
      const messages = slack
        .callsTo('chat.postMessage')
        .filter((c) => c.result && c.args.channel === call.args.channel && !c.args.thread_ts && Number(c.result.ts) > oldest)
        .map((c) => ({ type: 'message', ts: String(c.result!.ts), ...(call.args.include_all_metadata && c.args.metadata ? { metadata: c.args.metadata } : {}) }))
        .reverse();
      return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
    });
  }

  it('when the instance crashes between posting the report and recording the run, then the slot is finished on restart without a second post', async () => {
    channelHistory();
    const dbName = uniqueDbName('hyg');
    // Wednesday 2026-11-25; the weekly report (Mondays 09:00) ran on the 16th, the 23rd is due.
    const time = manualClock('2026-11-25T12:00:00Z');
    const lastWeek = previousSlot('0 9 * * 1', 'Europe/London', new Date(time.clock().getTime() - 7 * DAY))!;
    const due = previousSlot('0 9 * * 1', 'Europe/London', time.clock())!;

    const crashSwitch = new CrashSwitch();
    const dieOnRecord = (repos: Repositories): Repositories => ({
      ...repos,
      jobRuns: {
        ...repos.jobRuns,
        record: (run) => {
          if (run.job !== 'hygiene-report') return repos.jobRuns.record(run);
          crashSwitch.pull();
          return Promise.reject(new CrashedError('jobRuns.record'));
        },
      },
    });
    const first = await startTestApp(env, { slack, dbName, keepDb: true, clock: time.clock, crashSwitch, wrapRepositories: dieOnRecord });
    await first.app.deps.repos.jobSlots.claim(`hygiene-report:${lastWeek.toISOString()}`, 'old', MINUTE);
    await first.app.deps.repos.jobSlots.complete(`hygiene-report:${lastWeek.toISOString()}`, 'old');
    expect(await first.app.scheduler.catchUp()).toEqual([]);
    expect(reportPosts()).toHaveLength(1);
    expect(first.crashed).toBe(true);
    await first.crash();

    // Restarted after the crashed run's claim lapsed: the slot is run again to the end.
    time.advance(LEASE_MS + MINUTE);
    const second = await startTestApp(env, { slack, dbName, clock: time.clock });
    try {
      const runs = await second.app.deps.repos.jobRuns.recentOk('hygiene-report', 5);
      expect(runs.map((r) => ({ trigger: r.trigger, slot: r.slot, posted: r.counts.posted }))).toEqual([{ trigger: 'catch-up', slot: due, posted: 1 }]);
      expect(reportPosts()).toHaveLength(1);
      expect(reportPosts()[0]!.args.metadata).toEqual({ event_type: 'switchboard_hygiene_report', event_payload: { slot: `hygiene-report:${due.toISOString()}` } });
      expect(await second.app.scheduler.catchUp()).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('when an earlier slot was posted, then the next slot is still posted (the look-up matches the slot, not any report)', async () => {
    channelHistory();
    const time = manualClock('2026-11-25T12:00:00Z');
    const lastWeek = previousSlot('0 9 * * 1', 'Europe/London', new Date(time.clock().getTime() - 7 * DAY))!;
    const t = await startTestApp(env, { slack, clock: time.clock });
    try {
      await t.app.deps.hygiene.runner.run('hygiene-report', 'schedule', { slot: lastWeek });
      await t.app.deps.repos.jobSlots.claim(`hygiene-report:${lastWeek.toISOString()}`, 'old', MINUTE);
      await t.app.deps.repos.jobSlots.complete(`hygiene-report:${lastWeek.toISOString()}`, 'old');
      expect(await t.app.scheduler.catchUp()).toEqual(['hygiene-report']);
      expect(reportPosts()).toHaveLength(2);
    } finally {
      await t.stop();
    }
  });
});
