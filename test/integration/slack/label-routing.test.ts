import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

let n = 0;
const INBOX = 'C0INBOX01';

/** Label routing: a route is checked when it is set, a root post that fails for good still starts the thread, and priorities decide. */
describe('label routing', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function wa(text: string, user = 'U0LEAD01'): Promise<string> {
    const id = `r${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  }
  /** What Slack says about channels (the fake answers one scripted function per method: this one). */
  let channels: Map<string, Record<string, unknown> | string>;
  let joinErrors: Map<string, string>;
  beforeEach(() => {
    channels = new Map();
    joinErrors = new Map();
    slack.respond('conversations.info', (call) => {
      const known = channels.get(String(call.args.channel));
      return typeof known === 'string' ? { ok: false, error: known } : known ? { ok: true, channel: { name: 'room', ...known } } : undefined;
    });
    slack.respond('conversations.join', (call) => {
      const error = joinErrors.get(String(call.args.channel));
      return error ? { ok: false, error } : undefined;
    });
  });
  const info = (channel: Record<string, unknown>) => channels.set(String(channel.id), channel);
  const routeOf = async (name: string) => (await t.app.deps.repos.labels.findByName(name))?.routeChannel;

  async function contactWith(waId: string, labels: string[]) {
    const repos = t.app.deps.repos;
    await repos.contacts.recordInbound({ waId, name: 'Bo Chen', at: time.clock() });
    await repos.contacts.addLabels(waId, labels);
  }
  const roots = () => slack.callsTo('chat.postMessage').filter((c) => c.result && !c.args.thread_ts);

  it('when a lead routes a label to a private channel the bot is not in, then it is refused with the reason and nothing is stored', async () => {
    await t.app.deps.repos.labels.create({ name: 'vip' });
    info({ id: 'C0SECRET1', is_private: true, is_member: false });
    expect(await wa('label route vip <#C0SECRET1|secret>')).toMatch(/^<#C0SECRET1> is private and I am not in it: invite me there first, then route again\./);
    expect(await routeOf('vip')).toBeUndefined();
    expect(slack.callsTo('conversations.join')).toEqual([]);
  });

  it('when a lead routes a label to an archived channel, or one Slack cannot find, then it is refused with the reason', async () => {
    await t.app.deps.repos.labels.create({ name: 'vip' });
    info({ id: 'C0OLDROOM', is_archived: true, is_member: true });
    expect(await wa('label route vip <#C0OLDROOM|old>')).toMatch(/^<#C0OLDROOM> is archived/);
    channels.set('C0GONE001', 'channel_not_found');
    expect(await wa('label route vip <#C0GONE001|gone>')).toMatch(/^I cannot see <#C0GONE001>/);
    expect(await routeOf('vip')).toBeUndefined();
  });

  it('when a lead routes a label to a public channel the bot is not in, then the bot joins it; if it cannot join, the route is refused', async () => {
    await t.app.deps.repos.labels.create({ name: 'vip' });
    info({ id: 'C0PUBLIC1', is_private: false, is_member: false });
    expect(await wa('label route vip <#C0PUBLIC1|public>')).toMatch(/^New conversations of contacts labelled `vip` now start in <#C0PUBLIC1>/);
    expect(slack.callsTo('conversations.join').map((c) => c.args.channel)).toEqual(['C0PUBLIC1']);
    expect(await routeOf('vip')).toBe('C0PUBLIC1');

    info({ id: 'C0PUBLIC2', is_private: false, is_member: false });
    joinErrors.set('C0PUBLIC2', 'restricted_action');
    expect(await wa('label route vip <#C0PUBLIC2|public2>')).toMatch(/^I could not join <#C0PUBLIC2> \(Slack said `restricted_action`\)/);
    expect(await routeOf('vip')).toBe('C0PUBLIC1');
    info({ id: 'C0PUBLIC3', is_private: false, is_member: false });
    joinErrors.set('C0PUBLIC3', 'missing_scope');
    expect(await wa('label route vip <#C0PUBLIC3|public3>')).toMatch(/^I could not join <#C0PUBLIC3> \(Slack said `missing_scope`\)\. Invite me there instead, then route again\./);
    expect(await routeOf('vip')).toBe('C0PUBLIC1');
  });

  it('when the routed channel refuses the root post for good, then the thread starts in the inbox with a note saying why, and the message is there', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.setRoute('vip', 'C0VIPROOM');
    await contactWith('447700900001@c.us', ['vip']);
    // The channel was archived after it was routed.
    slack.respond('chat.postMessage', (call) => (call.args.channel === 'C0VIPROOM' ? { ok: false, error: 'is_archived' } : undefined));
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo Chen', content: { kind: 'text', text: 'hello there' } });

    const [root] = roots();
    expect(root!.args.channel).toBe(INBOX);
    const contact = await repos.contacts.findByWaId('447700900001@c.us');
    expect(contact!.slack).toEqual({ channel: INBOX, threadTs: root!.result!.ts });
    const posts = threadPosts(t).filter((c) => c.args.thread_ts === root!.result!.ts);
    expect(posts.map((c) => c.args.text)).toEqual([
      expect.stringMatching(/^:warning: This conversation should have started in <#C0VIPROOM> \(label `vip`\), but Slack refused the post there \(`is_archived`\)/),
      expect.stringContaining('hello there'),
    ]);
  });

  it('when the bot was removed from a private routed channel, then it cannot rejoin and the thread starts in the inbox', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.setRoute('vip', 'C0VIPROOM');
    await contactWith('447700900001@c.us', ['vip']);
    slack.respond('chat.postMessage', (call) => (call.args.channel === 'C0VIPROOM' ? { ok: false, error: 'not_in_channel' } : undefined));
    joinErrors.set('C0VIPROOM', 'method_not_supported_for_channel_type');
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo Chen', content: { kind: 'text', text: 'hello there' } });
    const [root] = roots();
    expect(root!.args.channel).toBe(INBOX);
    expect(threadPosts(t).map((c) => c.args.text)).toEqual([expect.stringContaining('(`method_not_supported_for_channel_type`)'), expect.stringContaining('hello there')]);
  });

  it('when a root post in the inbox itself fails, then nothing is rerouted (the error stands)', async () => {
    await contactWith('447700900001@c.us', []);
    slack.respond('chat.postMessage', { ok: false, error: 'is_archived' });
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo Chen', content: { kind: 'text', text: 'hello there' } });
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([INBOX]);
    expect((await t.app.deps.repos.contacts.findByWaId('447700900001@c.us'))!.slack).toBeUndefined();
  });

  it('when a contact carries two routed labels, then the route with the lower priority number wins whatever order the labels were added in, and /wa labels shows the priorities', async () => {
    await wa('label create billing');
    await wa('label create vip');
    expect(await wa('label route billing <#C0BILLING>')).toBe('New conversations of contacts labelled `billing` now start in <#C0BILLING> (priority 1).');
    expect(await wa('label route vip <#C0VIPROOM>')).toBe('New conversations of contacts labelled `vip` now start in <#C0VIPROOM> (priority 2).');
    expect(await wa('labels')).toBe(['*Labels*', '• `billing` — 0 contacts → <#C0BILLING> (priority 1)', '• `vip` — 0 contacts → <#C0VIPROOM> (priority 2)', 'A contact with several routed labels starts in the channel of the lowest priority number.'].join('\n'));

    await contactWith('447700900001@c.us', ['vip', 'billing']);
    await contactWith('447700900002@c.us', ['billing', 'vip']);
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo', content: { kind: 'text', text: 'a' } }, { from: '447700900002@c.us', pushName: 'Al', content: { kind: 'text', text: 'b' } });
    expect(roots().map((c) => c.args.channel)).toEqual(['C0BILLING', 'C0BILLING']);

    // An explicit priority reorders; re-routing without one keeps the label's.
    expect(await wa('label route vip <#C0VIPROOM> priority 0')).toBe('New conversations of contacts labelled `vip` now start in <#C0VIPROOM> (priority 0).');
    expect(await wa('label route billing <#C0BILLING2>')).toBe('New conversations of contacts labelled `billing` now start in <#C0BILLING2> (priority 1).');
    await contactWith('447700900003@c.us', ['billing', 'vip']);
    await receiveAndMirror(t, { from: '447700900003@c.us', pushName: 'Cy', content: { kind: 'text', text: 'c' } });
    expect(roots().map((c) => c.args.channel)).toEqual(['C0BILLING', 'C0BILLING', 'C0VIPROOM']);
    expect(await wa('labels')).toContain('• `vip` — 3 contacts → <#C0VIPROOM> (priority 0)');
    expect(await wa('label route vip <#C0VIPROOM> priority first')).toMatch(/^A priority is a whole number/);

    // Clearing a route clears its priority.
    expect(await wa('label route vip none')).toBe('Conversations labelled `vip` start in the inbox again.');
    expect((await t.app.deps.repos.labels.findByName('vip'))!.routePriority).toBeUndefined();
  });

  it('when two routed labels have the same priority, then the name decides, the same way every time', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'zeta' });
    await repos.labels.create({ name: 'alpha' });
    await repos.labels.setRoute('zeta', 'C0ZETA001', 3);
    await repos.labels.setRoute('alpha', 'C0ALPHA01', 3);
    await contactWith('447700900001@c.us', ['zeta', 'alpha']);
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo', content: { kind: 'text', text: 'a' } });
    expect(roots().map((c) => c.args.channel)).toEqual(['C0ALPHA01']);
  });
});
