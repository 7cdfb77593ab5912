import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

const LEAD = 'U0LEAD01';
const env = { SLACK_LEADS: LEAD, HYGIENE_REPORT_CHANNEL: 'C0REPORTS', TZ_REPORTS: 'Europe/London' };
let n = 0;

/** A flagging run that waits, inside the store call, until the test lets it finish. */
function heldFlagging() {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const gate = new Promise<void>((r) => (release = r));
  const wrap = (repos: Repositories): Repositories => ({
    ...repos,
    hygiene: {
      ...repos.hygiene,
      flagInactive: async (rules) => {
        entered();
        await gate;
        return repos.hygiene.flagInactive(rules);
      },
    },
  });
  return { wrap, inside, release };
}

/** `/wa hygiene run` on one instance while another instance runs the same job on its schedule. */
describe('hygiene runs across instances', () => {
  const slack = useFakeSlackApi();

  async function wa(t: TestApp, text: string): Promise<{ text: string; response_type: unknown }> {
    const id = `o${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: LEAD, response_url: slack.responseUrl(id) });
    const { body } = await slack.waitForResponse((p) => p.id === id, 5000);
    return { text: String(body.text), response_type: body.response_type };
  }

  it('when a lead runs hygiene on one instance while a scheduled run goes on on another, then it is refused with when that run started, and runs once it is over', async () => {
    const dbName = uniqueDbName('hyg');
    const time = manualClock('2026-11-25T12:00:00Z');
    const held = heldFlagging();
    const scheduled = await startTestApp(env, { slack, dbName, keepDb: true, clock: time.clock, wrapRepositories: held.wrap });
    const other = await startTestApp(env, { slack, dbName, clock: time.clock });
    try {
      const running = scheduled.app.deps.hygiene.runner.run('flag-inactive', 'schedule', { slot: time.clock() });
      await held.inside;
      time.advance(3 * 60_000);

      const refusal = await wa(other, 'hygiene run');
      expect(refusal.response_type).toBe('ephemeral');
      expect(refusal.text).toContain('A hygiene run is already in progress (flag-inactive, started 12:00 Europe/London, scheduled)');
      expect(await other.app.deps.repos.jobRuns.latest('flag-inactive')).toBeNull();
      expect(slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes('List hygiene report'))).toHaveLength(0);

      held.release();
      expect(await running).toMatchObject({ trigger: 'schedule', outcome: 'ok' });
      expect((await wa(other, 'hygiene run')).text).toMatch(/^Hygiene run done/);
      expect(await other.app.deps.repos.jobRuns.latest('flag-inactive')).toMatchObject({ trigger: 'command', outcome: 'ok' });
      // Finished runs leave no note behind for a later refusal to quote.
      expect(await other.app.deps.repos.settings.get('hygiene-run:flag-inactive')).toBeNull();
    } finally {
      held.release();
      await other.stop();
      await scheduled.stop();
    }
  });
});
