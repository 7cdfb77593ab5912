import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock } from '../../support/bridge-helpers';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { appHomeOpenedEnvelope, blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';
import { createHoursStore } from '../../../src/hours/hours-store';
import { createAutoReplyStore, DEFAULT_AUTO_REPLIES } from '../../../src/auto-reply/auto-reply-settings';

const LEAD = 'U0LEAD01';
const AGENT = 'U0AGENT';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
let n = 0;

const SCHEDULE = {
  mon: [{ from: '09:00', to: '17:00' }],
  tue: [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '17:00' }],
  wed: [{ from: '09:00', to: '17:00' }],
  thu: [{ from: '09:00', to: '17:00' }],
  fri: [{ from: '09:00', to: '17:00' }],
  sat: [{ from: '22:00', to: '02:00' }],
  sun: [],
  closedDates: ['2026-12-25', '2027-01-01'],
};

/** What a lead types into the modal: one text per weekday, the closed dates, and each reply's switch and text. */
interface Form {
  days: Record<(typeof DAYS)[number], string>;
  closedDates: string;
  greeting: { on: boolean; text: string };
  away: { on: boolean; text: string };
  help: { on: boolean; text: string };
}

const GOOD: Form = {
  days: { mon: '9:00-17:00', tue: '09:00-12:00, 13:00-18:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-15:00', sat: '22:00-02:00', sun: 'closed' },
  closedDates: '2026-12-25\n2026-12-26, 2027-01-01',
  greeting: { on: true, text: 'Hi {{first_name}}, welcome to {{business_name}}!' },
  away: { on: true, text: 'Hi {{first_name}}, we are closed; back {{opens_at}}.' },
  help: { on: true, text: '{{business_name}} support. Reply STOP to stop.' },
};

/** The modal's state as Slack sends it (view.state.values), by block id. */
function stateOf(form: Form): Record<string, Record<string, object>> {
  const text = (value: string) => ({ hours_form: { type: 'plain_text_input', value } });
  const check = (on: boolean) => ({ hours_form: { type: 'checkboxes', selected_options: on ? [{ value: 'on', text: { type: 'plain_text', text: 'On' } }] : [] } });
  return {
    ...Object.fromEntries(DAYS.map((day) => [`hours_${day}`, text(form.days[day])])),
    closed_dates: text(form.closedDates),
    ...Object.fromEntries((['greeting', 'away', 'help'] as const).flatMap((kind) => [[`${kind}_on`, check(form[kind].on)], [`${kind}_text`, text(form[kind].text)]])),
  };
}

/** The team leads' modal for business hours and automatic replies, over signed HTTP. */
describe('business hours and automatic replies modal', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  // 2026-11-25 09:00 UTC is a Wednesday, 09:00 in London (GMT in November); each test starts there.
  let time = manualClock('2026-11-25T09:00:00Z');
  beforeEach(async () => {
    time = manualClock('2026-11-25T09:00:00Z');
    t = await startTestApp({ TZ_REPORTS: 'Europe/London', SLACK_LEADS: LEAD, BUSINESS_NAME: 'Acme Bakery' }, { slack, clock: () => time.clock() });
  });
  afterEach(async () => {
    await t.stop();
  });

  const hoursStore = () => createHoursStore({ settings: t.app.deps.repos.settings, logger: t.app.deps.logger });
  const textStore = () => createAutoReplyStore({ settings: t.app.deps.repos.settings, logger: t.app.deps.logger });
  const stored = async () => [await t.app.deps.repos.settings.get('business-hours'), await t.app.deps.repos.settings.get('auto-replies')];

  async function wa(text: string, user = AGENT): Promise<string> {
    const id = `m${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, trigger_id: `trig-${id}`, response_url: slack.responseUrl(id) });
    const answer = await slack.waitForResponse((p) => p.id === id);
    return String(answer.body.text);
  }

  const submit = async (form: Form, user = LEAD) => {
    const res = await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: 'hours_modal', privateMetadata: '', userId: user, values: stateOf(form) }));
    expect(res.status).toBe(200);
    return JSON.parse(res.body || '{}') as { response_action?: string; errors?: Record<string, string> };
  };

  type Block = { type: string; block_id?: string; element?: { initial_value?: string; initial_options?: unknown[]; dispatch_action_config?: unknown }; dispatch_action?: boolean };
  const blocksOf = (call: SlackCall) => (call.args.view as { blocks: Block[] }).blocks;
  const block = (call: SlackCall, id: string) => blocksOf(call).find((b) => b.block_id === id)!;
  const previewOf = (call: SlackCall) => JSON.stringify(blocksOf(call).filter((b) => b.block_id?.startsWith('preview')));

  it('when an agent types /wa hours edit, then they are told it is for leads and no modal opens', async () => {
    expect(await wa('hours edit')).toMatch(/:lock: .*team leads/);
    expect(slack.callsTo('views.open')).toHaveLength(0);
    // Everyone still sees the week.
    expect(await wa('hours')).toMatch(/No business hours are set/);
  });

  it('when a lead types /wa hours edit, then the modal opens prefilled with the stored week, dates and texts, and a preview for an example contact', async () => {
    await hoursStore().save(SCHEDULE);
    await textStore().save({ ...DEFAULT_AUTO_REPLIES, away: { enabled: true, text: 'Sorry {{first_name}}, back {{opens_at}}.' } });
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'hours edit', user_id: LEAD, trigger_id: 'trig-edit', response_url: slack.responseUrl('edit') });
    const opened = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-edit');
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('hours_modal');
    expect(block(opened, 'hours_mon').element?.initial_value).toBe('09:00-17:00');
    expect(block(opened, 'hours_tue').element?.initial_value).toBe('09:00-12:00, 13:00-17:00');
    expect(block(opened, 'hours_sat').element?.initial_value).toBe('22:00-02:00');
    expect(block(opened, 'hours_sun').element?.initial_value).toBe('closed');
    expect(block(opened, 'closed_dates').element?.initial_value).toBe('2026-12-25\n2027-01-01');
    expect(block(opened, 'away_text').element?.initial_value).toBe('Sorry {{first_name}}, back {{opens_at}}.');
    expect(block(opened, 'greeting_text').element?.initial_value).toBe(DEFAULT_AUTO_REPLIES.greeting.text);
    expect(block(opened, 'away_on').element?.initial_options).toHaveLength(1);
    expect(block(opened, 'greeting_on').element?.initial_options ?? []).toHaveLength(0);
    // Live: each text input dispatches as it is typed into.
    expect(block(opened, 'away_text').dispatch_action).toBe(true);
    expect(block(opened, 'hours_tue').dispatch_action).toBe(true);
    expect(JSON.stringify(blocksOf(opened))).toContain('{{first_name}}, {{opens_at}}, {{business_name}}');
    // Open now (Wednesday 09:00): the away text tells the next opening after today's closing.
    const preview = previewOf(opened);
    expect(preview).toContain('Sorry Maria, back Thu 09:00.');
    expect(preview).toContain('Acme Bakery');
    expect(blocksOf(opened).length).toBeLessThan(100);
  });

  it('when a lead saves a valid form, then the hours and texts are stored, audited, confirmed to the lead, and /wa hours shows the new week', async () => {
    expect(await submit(GOOD)).toEqual({});
    expect(await hoursStore().load()).toEqual({
      mon: [{ from: '09:00', to: '17:00' }],
      tue: [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '18:00' }],
      wed: [{ from: '09:00', to: '17:00' }],
      thu: [{ from: '09:00', to: '17:00' }],
      fri: [{ from: '09:00', to: '15:00' }],
      sat: [{ from: '22:00', to: '02:00' }],
      sun: [],
      closedDates: ['2026-12-25', '2026-12-26', '2027-01-01'],
    });
    expect(await textStore().load()).toEqual({ greeting: { enabled: true, text: GOOD.greeting.text }, away: { enabled: true, text: GOOD.away.text }, help: { enabled: true, text: GOOD.help.text } });
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: LEAD, action: 'business_hours', outcome: 'ok' });
    const confirmation = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('saved'));
    expect(String(confirmation.args.text)).toMatch(/open now/);
    const week = await wa('hours');
    expect(week).toContain('Tue 09:00–12:00, 13:00–18:00');
    expect(week).toContain('Fri 09:00–15:00');
  });

  it('when the hours have overlapping spans, a bad date or a garbled day, then each error shows at its field and nothing is saved', async () => {
    const answer = await submit({ ...GOOD, days: { ...GOOD.days, tue: '09:00-12:00, 11:00-13:00', mon: 'nine to five', wed: '09:00-09:00' }, closedDates: '2026-12-25\n2026-13-01' });
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors!).sort()).toEqual(['closed_dates', 'hours_mon', 'hours_tue', 'hours_wed']);
    expect(answer.errors!.hours_tue).toMatch(/11:00-13:00.*overlaps/);
    expect(answer.errors!.hours_mon).toMatch(/nine to five.*09:00-17:00/);
    expect(answer.errors!.closed_dates).toMatch(/2026-13-01.*not a date/);
    expect(answer.errors!.hours_wed).toMatch(/differ/);
    // The texts were fine, and are not saved either.
    expect(await stored()).toEqual([undefined, undefined]);
  });

  it('when a text is wrong (unknown variable, empty while on, over the limit), then the error is at that text and nothing is saved', async () => {
    await hoursStore().save(SCHEDULE);
    const before = await stored();
    const answer = await submit({ ...GOOD, greeting: { on: true, text: '  ' }, away: { on: true, text: 'Back {{opens_on}}' }, help: { on: true, text: 'x'.repeat(3_001) } });
    expect(answer.response_action).toBe('errors');
    expect(answer.errors).toEqual({ greeting_text: expect.stringMatching(/empty/), away_text: expect.stringMatching(/\{\{opens_on\}\} is not a variable/), help_text: expect.stringMatching(/3,000/) });
    // The hours were valid, and are not saved either.
    expect(await stored()).toEqual(before);
  });

  it('when an agent submits the modal (they had it from before), then it is refused at a field and nothing is saved', async () => {
    const answer = await submit(GOOD, AGENT);
    expect(answer.response_action).toBe('errors');
    expect(Object.values(answer.errors!).join(' ')).toMatch(/team leads/);
    expect(await stored()).toEqual([undefined, undefined]);
    expect((await t.app.deps.repos.audit.recent(1))[0]).toMatchObject({ actor: AGENT, outcome: 'refused' });
  });

  /** A keystroke in the modal: Slack's block_actions from a view, with the view's state and hash. */
  const typed = (form: Form, blockId: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, {
      ...blockActionPayload({ actionId: 'hours_form', userId: LEAD }),
      container: { type: 'view', view_id: 'V0HOURS' },
      channel: undefined,
      message: undefined,
      view: { id: 'V0HOURS', type: 'modal', callback_id: 'hours_modal', hash: 'hash-1', private_metadata: '', state: { values: stateOf(form) } },
      actions: [{ type: 'plain_text_input', action_id: 'hours_form', block_id: blockId, value: 'x', action_ts: '1700000000.1' }],
    });

  it('when a lead types into the modal, then the preview is updated with views.update (with the view hash) from the text and hours as typed', async () => {
    time.advance(9 * 3_600_000); // Wednesday 18:00: closed, opens Thursday 09:00 by GOOD's week
    await typed({ ...GOOD, days: { ...GOOD.days, thu: '10:30-17:00' } }, 'away_text');
    const update = await slack.waitFor('views.update');
    expect(update.args).toMatchObject({ view_id: 'V0HOURS', hash: 'hash-1' });
    const preview = previewOf(update);
    expect(preview).toContain('Hi Maria, we are closed; back Thu 10:30.');
    expect(preview).toContain('Hi Maria, welcome to Acme Bakery!');
    expect(preview).toContain('closed — opens Thu 10:30');

    await typed({ ...GOOD, days: { ...GOOD.days, thu: 'soonish' } }, 'hours_thu');
    const invalid = await slack.waitFor('views.update', (c) => c !== update);
    expect(previewOf(invalid)).toMatch(/hours.*not valid/i);
    expect(await stored()).toEqual([undefined, undefined]);
  });

  it('when App Home opens, then it shows the open-state line to everyone and the edit button to leads only, which opens the modal', async () => {
    await hoursStore().save(SCHEDULE);
    await postEvent(t.baseUrl, SIGNING_SECRET, appHomeOpenedEnvelope(AGENT));
    const agentHome = JSON.stringify((await slack.waitFor('views.publish', (c) => c.args.user_id === AGENT)).args.view);
    expect(agentHome).toContain('*Business hours*\\nopen now');
    expect(agentHome).not.toContain('home_edit_hours');

    time.advance(9 * 3_600_000); // Wednesday 18:00
    await postEvent(t.baseUrl, SIGNING_SECRET, appHomeOpenedEnvelope(LEAD));
    const leadHome = JSON.stringify((await slack.waitFor('views.publish', (c) => c.args.user_id === LEAD)).args.view);
    expect(leadHome).toContain('*Business hours*\\nclosed — opens Thu 09:00');
    expect(leadHome).toContain('Edit hours and automatic replies');

    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId: 'home_edit_hours', userId: LEAD }), trigger_id: 'trig-home', container: { type: 'view', view_id: 'V0HOME' } });
    const opened = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-home');
    expect((opened.args.view as { callback_id: string }).callback_id).toBe('hours_modal');
  });

  it('when no schedule is set, then App Home has no business hours line', async () => {
    await postEvent(t.baseUrl, SIGNING_SECRET, appHomeOpenedEnvelope(LEAD));
    const home = JSON.stringify((await slack.waitFor('views.publish')).args.view);
    expect(home).not.toContain('Business hours');
    expect(home).toContain('Edit hours and automatic replies');
  });
});
