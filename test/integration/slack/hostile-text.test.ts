import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { asRead, expectNoForeignMarkup, readingShows, slackTexts, type SlackTexts } from '../../support/slack/shown-text';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';
import { spreadsheetCells, startsFormula } from '../../support/spreadsheet-csv';

const LEAD = 'U0LEAD01';
const DAY = 86_400_000;
/** Longer than any place Slack gives a name, and four to five times longer once escaped. */
const LONG = `${'<!here>&'.repeat(60)}<@U0AGENT1>`;

/** WhatsApp display names as hostile as people can make them; each its own contact. */
const PEOPLE = {
  link: { waId: '447911123401@c.us', phone: '+447911123401', name: '<https://evil.example|Click here>' },
  channel: { waId: '447911123402@c.us', phone: '+447911123402', name: '<!channel> urgent' },
  here: { waId: '447911123403@c.us', phone: '+447911123403', name: '<!here> <@U0AGENT1>' },
  escaped: { waId: '447911123404@c.us', phone: '+447911123404', name: '&lt;!everyone&gt; Tom &amp; Jerry' },
  format: { waId: '447911123405@c.us', phone: '+447911123405', name: '*Boss* _now_ ~x~ `y`' },
  formula: { waId: '447911123406@c.us', phone: '+447911123406', name: ' =HYPERLINK("http://evil.example","x");=1+1' },
  long: { waId: '447911123407@c.us', phone: '+447911123407', name: LONG },
} as const;
type Person = (typeof PEOPLE)[keyof typeof PEOPLE];
const EVERYONE = Object.values(PEOPLE);
/** Names short enough to be shown whole everywhere. */
const SHORT = EVERYONE.filter((p) => p !== PEOPLE.long);

/** What each of them writes: every kind of markup Slack would act on, and text that is already escaped. */
const TEXT = 'see <http://x|y> <!channel> <!here> <@U0AGENT1> &lt;b&gt; &amp; *b* _i_ ~s~';

let seq = 0;

/** The texts of every confirm dialog in some blocks (Slack takes at most 300 characters there). */
function confirmTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(confirmTexts);
  if (typeof value !== 'object' || value === null) return [];
  const doc = value as { confirm?: { text?: { text?: string } } };
  const own = typeof doc.confirm?.text?.text === 'string' ? [doc.confirm.text.text] : [];
  return [...own, ...Object.values(doc).flatMap(confirmTexts)];
}
const nextTs = () => `1800000300.${String(++seq).padStart(6, '0')}`;

/**
 * Text from WhatsApp — contact names and what they write — through every Slack surface the app
 * draws from it: cards, mirrored messages, notices, ephemerals, modals, App Home, commands, the
 * hygiene report and CSV exports. In mrkdwn none of it may become a link, mention or broadcast, and
 * it must read as typed (escaped once, not twice); where Slack shows text verbatim it is as typed.
 */
describe('hostile names and texts from WhatsApp in Slack', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  /** Bodies the app answered Slack with directly (view submissions), which never reach the fake. */
  let answered: Array<{ where: string; body: unknown }>;
  const threadOf = async (p: Person) => (await t.app.deps.repos.contacts.findByWaId(p.waId))!.slack!;
  const texts = (calls?: SlackCall[]): SlackTexts => (calls ? slackTexts({ calls, responses: [] }) : slackTexts(slack, answered));

  beforeEach(async () => {
    answered = [];
    t = await startTestApp({ SLACK_LEADS: LEAD }, { slack, clock: time.clock });
    await t.app.deps.repos.labels.create({ name: 'vip' });
    for (const p of EVERYONE) await receiveAndMirror(t, { from: p.waId, pushName: p.name, content: { kind: 'text', text: TEXT } });
    for (const p of EVERYONE) await t.app.deps.repos.contacts.addLabels(p.waId, ['vip']);
  });
  afterEach(async () => {
    try {
      // Whatever else a test looked at, nothing it made Slack show carries markup of theirs.
      expectNoForeignMarkup(texts());
    } finally {
      await t.stop();
    }
  });

  const press = async (actionId: string, p: Person, extra: object = {}) => {
    const thread = await threadOf(p);
    const trigger = `trig-${actionId}-${++seq}`;
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...blockActionPayload({ actionId, value: p.waId, channelId: thread.channel, messageTs: thread.threadTs }), trigger_id: trigger, ...extra });
    return trigger;
  };
  const opened = async (trigger: string) => (await slack.waitFor('views.open', (c) => c.args.trigger_id === trigger)).args.view;
  const submit = async (callbackId: string, p: Person, values: Record<string, Record<string, object>>) => {
    const payload = viewSubmissionPayload({ callbackId, privateMetadata: JSON.stringify({ waId: p.waId }), values });
    // Each its own modal: a view's effects happen once.
    const res = await postInteraction(t.baseUrl, SIGNING_SECRET, { ...payload, view: { ...payload.view, id: `V0MODAL${++seq}` } });
    const body = res.body ? (JSON.parse(res.body) as unknown) : {};
    answered.push({ where: `${callbackId} answer`, body });
    return body as { response_action?: string; errors?: Record<string, string>; view?: unknown };
  };
  const wa = async (text: string, user = 'U0AGENT') => {
    const id = `cmd${++seq}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((r) => r.id === id, 5000)).body.text);
  };
  const agentReplies = async (p: Person, text: string) => {
    const thread = await threadOf(p);
    const ts = nextTs();
    await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts, eventId: `Ev${ts}` }));
    return ts;
  };
  const viewCall = (view: unknown): SlackCall => ({ method: 'views.open', args: { view }, at: new Date() });
  /** Every plain_text and mrkdwn string of these calls, read as a person reads it. */
  const readText = (calls: SlackCall[]) => {
    const all = texts(calls);
    return [...all.mrkdwn.map((s) => asRead(s.text)), ...all.plain.map((s) => s.text)].join('\n');
  };

  it('when contacts with hostile names write hostile text, then cards and mirrored messages show both as typed, and nothing of theirs is live', async () => {
    const roots = slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(roots).toHaveLength(EVERYONE.length);
    for (const p of SHORT) expect(readingShows(texts(roots), p.name).length).toBeGreaterThan(0);
    // The long name: cut, every Slack limit kept — the confirm dialog's 300 characters included.
    const longRoot = roots.find((c) => JSON.stringify(c.args.blocks).includes(PEOPLE.long.phone))!;
    expect(longRoot.result).toBeDefined();
    expect(readingShows(texts([longRoot]), `${LONG.slice(0, 40)}`).length).toBeGreaterThan(0);
    const dialogs = confirmTexts(longRoot.args.blocks);
    expect(dialogs.length).toBeGreaterThan(0);
    for (const text of dialogs) expect(text.length).toBeLessThanOrEqual(300);

    const mirrored = threadPosts(t);
    expect(mirrored).toHaveLength(EVERYONE.length);
    for (const post of mirrored) expect(asRead(String(post.args.text))).toBe(TEXT);
    // The poster's name is plain text to Slack: as typed, cut to Slack's 80 characters.
    expect(mirrored.map((c) => c.args.username).sort()).toEqual(EVERYONE.map((p) => (p === PEOPLE.long ? `${LONG.slice(0, 79)}…` : p.name)).sort());

    // A reply quoting a message, a place, a contact card: each carries their text too.
    await receiveAndMirror(
      t,
      { from: PEOPLE.link.waId, content: { kind: 'text', text: 'and?' }, quoted: { id: 'q1', text: TEXT } },
      { from: PEOPLE.link.waId, content: { kind: 'location', latitude: 51.5, longitude: -0.12, name: TEXT, address: PEOPLE.here.name } },
      { from: PEOPLE.link.waId, content: { kind: 'contact_card', vcards: [`BEGIN:VCARD\nFN:${PEOPLE.channel.name}\nTEL:+447700900999\nEND:VCARD`] } },
    );
    const more = threadPosts(t).slice(EVERYONE.length);
    expect(more).toHaveLength(3);
    expect(asRead(String(more[0]!.args.text))).toBe(`> ${TEXT}\nand?`);
    expect(asRead(String(more[1]!.args.text))).toContain(`${TEXT} — ${PEOPLE.here.name}`);
    expect(asRead(String(more[2]!.args.text))).toContain(`${PEOPLE.channel.name}, +447700900999`);
  });

  it('when a contact edits a message and reacts with an emoji Slack lacks, then the update and the notice show their text and name as typed', async () => {
    const p = PEOPLE.here;
    const [sent] = await receiveAndMirror(t, { from: p.waId, pushName: p.name, content: { kind: 'text', text: 'to be edited' } });
    t.gateway.emit({ type: 'edit', messageId: sent!.id, chatId: p.waId, newText: `${TEXT} (again)`, at: time.clock() });
    const update = await slack.waitFor('chat.update', (c) => String(c.args.text).includes('(again)'));
    expect(asRead(String(update.args.text))).toBe(`${TEXT} (again) _(edited)_`);

    t.gateway.emit({ type: 'reaction', messageId: sent!.id, chatId: p.waId, from: p.waId, emoji: '<!channel>', at: time.clock() });
    const notice = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('reacted'));
    expect(asRead(String(notice.args.text))).toBe(`${p.name} reacted <!channel> to this message`);
  });

  it('when a contact opts out with markup round the keyword, then the banner shows it as typed; refusals to reply say why without any of their text', async () => {
    const p = PEOPLE.link;
    await receiveAndMirror(t, { from: p.waId, content: { kind: 'text', text: '*STOP*&' } });
    expect((await t.app.deps.repos.contacts.findByWaId(p.waId))!.consent.status).toBe('opted_out');
    const banner = threadPosts(t).find((c) => asRead(String(c.args.text)) === '*STOP*&')!;
    expect(readingShows(texts([banner]), 'Opted out* by replying “*STOP*&”').length).toBe(1);

    // In the thread: refused privately, saying when and how.
    await agentReplies(p, 'are you there?');
    const refusal = await slack.waitFor('chat.postEphemeral', (c) => /opted out/.test(String(c.args.text)));
    expect(asRead(String(refusal.args.text))).toMatch(/opted out on \d{4}-\d\d-\d\d via keyword:STOP; not sent/);

    // The card's Reply and Quick reply buttons, and the quick reply modal sent anyway.
    await t.app.deps.repos.quickReplies.create({ shortcut: 'hi', body: 'Hello {{name}}', author: LEAD });
    await press('conv_reply', p);
    await press('card_quick_reply', p);
    await eventually(() => slack.callsTo('chat.postEphemeral').length >= 3, 'the buttons refused');
    const answer = await submit('card_quick_reply_modal', p, { qr: { pick: { type: 'static_select', selected_option: { value: 'hi' } } } });
    expect(answer.errors?.qr).toMatch(/^the contact opted out on \d{4}-\d\d-\d\d via keyword:STOP; not sent\.$/);
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  it('when a reply queued for a contact meets their opt-out at the gate, then the note in the thread carries none of their text', async () => {
    const p = PEOPLE.channel;
    t.gateway.setState('disconnected');
    await agentReplies(p, 'queued before the opt-out');
    await eventually(async () => (await t.app.deps.repos.messages.countByState('outbound')).pending === 1, 'queued');
    await receiveAndMirror(t, { from: p.waId, content: { kind: 'text', text: 'STOP' } });
    t.gateway.setState('connected');
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    await eventually(() => threadPosts(t).some((c) => String(c.args.text).startsWith(':warning: Not delivered')), 'the note in the thread');
    const note = threadPosts(t).find((c) => String(c.args.text).startsWith(':warning: Not delivered'))!;
    expect(String(note.args.text)).toMatch(/^:warning: Not delivered to WhatsApp: the contact opted out on \d{4}-\d\d-\d\d via keyword:STOP; not sent$/);
  });

  it('when agents open and send the modals of a conversation, then names are as typed in plain text, read as typed in mrkdwn, and WhatsApp gets them unescaped', async () => {
    const { repos } = t.app.deps;
    await repos.quickReplies.create({ shortcut: 'hi', body: 'Hello {{name}} <3', author: LEAD });
    for (const p of [PEOPLE.format, PEOPLE.escaped, PEOPLE.long]) {
      const reply = await opened(await press('conv_reply', p));
      const quick = await opened(await press('card_quick_reply', p));
      const labels = await opened(await press('card_labels', p));
      const plain = readText([viewCall(reply), viewCall(quick), viewCall(labels)]);
      const shown = p === PEOPLE.long ? LONG.slice(0, 30) : p.name;
      expect(plain).toContain(`To ${shown}`);
      expect(plain).toContain(`Send to ${shown}`);
      expect(plain).toContain(`Labels for ${shown}`);
    }

    const p = PEOPLE.escaped;
    const thread = await threadOf(p);
    const snooze = await press('conv_snooze', p, {
      actions: [{ type: 'static_select', action_id: 'conv_snooze', block_id: 'conversation', selected_option: { value: 'custom', text: { type: 'plain_text', text: 'Until…' } }, action_ts: '1' }],
    });
    expect(readText([viewCall(await opened(snooze))])).toContain(`when ${p.name} writes`);

    await postInteraction(t.baseUrl, SIGNING_SECRET, {
      type: 'message_action',
      callback_id: 'opt_out_contact',
      trigger_id: 'trig-opt-out-shortcut',
      team: { id: 'T0TEAM', domain: 'test' },
      user: { id: 'U0AGENT', username: 'agent', team_id: 'T0TEAM' },
      channel: { id: thread.channel, name: 'inbox' },
      message: { type: 'message', ts: thread.threadTs, text: 'x' },
      response_url: slack.responseUrl('shortcut'),
      action_ts: '1',
    });
    const confirm = await opened('trig-opt-out-shortcut');
    expect(readText([viewCall(confirm)])).toContain(`Nothing more will be sent to *${p.name}*, except`);

    // The quick reply: WhatsApp gets the name as typed; the thread reads it as typed.
    await submit('card_quick_reply_modal', p, { qr: { pick: { type: 'static_select', selected_option: { value: 'hi' } } } });
    await eventually(() => t.gateway.sent.length === 1, 'the quick reply sent');
    expect(t.gateway.sent[0]!.text).toBe(`Hello ${p.name} <3`);
    await eventually(() => threadPosts(t).some((c) => String(c.args.text).startsWith(':zap:')), 'the quick reply shown');
    expect(asRead(String(threadPosts(t).find((c) => String(c.args.text).startsWith(':zap:'))!.args.text))).toContain(`Hello ${p.name} <3`);

    // The Reply modal: the agent's text, shown in the thread as written.
    await submit('conv_reply_modal', p, { text: { value: { type: 'plain_text_input', value: TEXT } } });
    await eventually(() => threadPosts(t).some((c) => String(c.args.text).startsWith(':outbox_tray:')), 'the reply shown');
    expect(asRead(String(threadPosts(t).find((c) => String(c.args.text).startsWith(':outbox_tray:'))!.args.text))).toContain(TEXT);
  });

  it('when an agent finds contacts from App Home by the start of a hostile name, then the card and the "several match" error show the names as typed', async () => {
    const found = await submit('home_find_contact_modal', PEOPLE.link, { contact: { query: { type: 'plain_text_input', value: '<https://evil' } } });
    expect(found.response_action).toBe('update');
    expect(readingShows(slackTexts({ calls: [], responses: [] }, [{ where: 'find', body: found }]), `${PEOPLE.link.name}* · ${PEOPLE.link.phone}`)).toHaveLength(1);

    const several = await submit('home_find_contact_modal', PEOPLE.link, { contact: { query: { type: 'plain_text_input', value: '<!' } } });
    expect(several.errors?.contact).toContain(PEOPLE.channel.name);
    expect(several.errors?.contact).toContain(PEOPLE.here.name);
  });

  it('when agents and leads use /wa on these contacts, then every answer reads their names as typed', async () => {
    const reads = async (command: string, expected: string, user?: string) => expect(asRead(await wa(command, user))).toContain(expected);
    await reads(`contact ${PEOPLE.link.phone}`, `${PEOPLE.link.name}* · ${PEOPLE.link.phone}`);
    await reads('contact *Boss*', `${PEOPLE.format.name}* · ${PEOPLE.format.phone}`);
    await reads(`consent ${PEOPLE.here.phone}`, `Consent ledger for ${PEOPLE.here.name}*`);
    await reads(`label add ${PEOPLE.format.phone} vip`, `${PEOPLE.format.name} now has`);
    await reads(`optin ${PEOPLE.channel.phone}`, `Opt-in request sent to ${PEOPLE.channel.name}:`);
    await reads(`optout ${PEOPLE.here.phone}`, `${PEOPLE.here.name} is opted out`);
    await reads(`optin ${PEOPLE.here.phone}`, `${PEOPLE.here.name} opted out on`);
    const inbox = asRead(await wa('inbox open'));
    for (const p of SHORT) expect(inbox).toContain(`*${p.name}* ·`);
    await reads(`forget ${PEOPLE.escaped.phone}`, `${PEOPLE.escaped.name}'s data is erased`, LEAD);
  });

  it('when the hygiene report is posted and a lead exports inactive contacts and a segment, then the report has nothing of theirs and the CSVs are quoted and defused', async () => {
    time.advance(100 * DAY);
    expect(await wa('hygiene run', LEAD)).toMatch(/^Hygiene run done/);
    const report = await slack.waitFor('chat.postMessage', (c) => JSON.stringify(c.args.blocks ?? '').includes('List hygiene report'));
    expect(report.result).toBeDefined();

    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'hygiene_export_inactive', userId: LEAD, channelId: String(report.args.channel) }));
    // Files to a direct message: the CSVs (the report's chart goes to its thread).
    const toDm = (c: SlackCall) => String(c.args.channel_id).startsWith('D');
    const exported = await slack.waitFor('files.completeUploadExternal', toDm);
    expect(await wa('segment vip', LEAD)).toMatch(/contacts in `vip`/);
    const segment = await slack.waitFor('files.completeUploadExternal', (c) => toDm(c) && c !== exported);

    for (const done of [exported, segment]) {
      const csv = slack.uploads.get((done.args.files as Array<{ id: string }>)[0]!.id)!.toString();
      const rows = spreadsheetCells(csv, ',');
      expect(rows.flat().every((cell) => cell.quoted)).toBe(true);
      const names = rows.slice(1).map((r) => r[2]!.value);
      expect(names).toEqual(expect.arrayContaining([PEOPLE.link.name, PEOPLE.escaped.name, PEOPLE.long.name, `' =HYPERLINK("http://evil.example","x");'=1+1`]));
      for (const separator of [',', ';', '\t']) {
        const formulas = spreadsheetCells(csv, separator)
          .flat()
          .map((c) => c.value)
          .filter((v) => startsFormula(v) && !/^\+\d+(,|$)/.test(v));
        expect({ separator, formulas }).toEqual({ separator, formulas: [] });
      }
    }
  });
});
