import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

let n = 0;

/** Lead-only `/wa` verbs: refused for others (audited), working for SLACK_LEADS and SLACK_LEADS_GROUP members. */
describe('lead commands', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01', SLACK_LEADS_GROUP: 'S0LEADS' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function wa(text: string, user = 'U0LEAD01'): Promise<string> {
    const id = `l${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  }

  it('when someone who is not a lead tries a lead verb, then it is refused, privately and audited, and nothing changes', async () => {
    expect(await wa('label create vip', 'U0AGENT')).toMatch(/`\/wa label create` is for team leads/);
    expect(await t.app.deps.repos.labels.list()).toEqual([]);
    const [entry] = await t.app.deps.repos.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'U0AGENT', action: '/wa label', outcome: 'refused' });
    // Agents keep the verbs meant for them.
    expect(await wa('labels', 'U0AGENT')).toMatch(/no labels yet/);
  });

  it('when a member of the leads user group runs a lead verb, then it works', async () => {
    slack.respond('usergroups.users.list', (call) => ({ ok: true, users: call.args.usergroup === 'S0LEADS' ? ['U0GROUPLEAD'] : [] }));
    expect(await wa('label create billing', 'U0GROUPLEAD')).toBe('Label `billing` created.');
  });

  it('when a lead creates, routes and deletes labels, then new conversations follow the route and a deleted label leaves every contact', async () => {
    expect(await wa('label create VIP')).toBe('Label `vip` created.');
    expect(await wa('label create vip')).toMatch(/already exists/);
    expect(await wa('label create "<!channel>"')).toMatch(/is not a label name/);
    expect(await wa('label route vip <#C0VIPROOM|vip-room>')).toBe('New conversations of contacts labelled `vip` now start in <#C0VIPROOM> (priority 1).');
    expect(await wa('label route vip #vip-room')).toMatch(/Say which channel/);

    const repos = t.app.deps.repos;
    await repos.contacts.recordInbound({ waId: '447700900001@c.us', name: 'Bo Chen', at: time.clock() });
    await repos.contacts.addLabels('447700900001@c.us', ['vip']);
    await receiveAndMirror(t, { from: '447700900001@c.us', pushName: 'Bo Chen', content: { kind: 'text', text: 'hi' } });
    const root = slack.callsTo('chat.postMessage').find((c) => !c.args.thread_ts)!;
    expect(root.args.channel).toBe('C0VIPROOM');

    expect(await wa('label delete vip')).toBe('Label `vip` deleted; it was on 1 contact.');
    expect((await repos.contacts.findByWaId('447700900001@c.us'))!.labels).toEqual([]);
    expect((await repos.audit.recent(5)).map((a) => a.action)).toEqual(['label_delete', 'label_route', 'label_create']);
  });

  it('when a lead renames a label, then every contact carrying it has the new name, the route stays, and it is audited', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.setRoute('vip', 'C0VIPROOM');
    const add = async (waId: string, labels: string[]) => {
      await repos.contacts.recordInbound({ waId, at: time.clock() });
      await repos.contacts.addLabels(waId, labels);
    };
    await add('447700900001@c.us', ['billing', 'vip', 'late']);
    await add('447700900002@c.us', ['vip', 'priority']); // an older, undefined label of the new name
    await add('447700900003@c.us', ['billing']);

    expect(await wa('label rename VIP Priority')).toBe('Label `vip` is now `priority`, on 2 contacts. Its conversations still start in <#C0VIPROOM>.');
    expect((await repos.labels.list()).map((l) => [l.name, l.routeChannel])).toEqual([['priority', 'C0VIPROOM']]);
    const labelsOf = async (waId: string) => (await repos.contacts.findByWaId(waId))!.labels;
    expect(await labelsOf('447700900001@c.us')).toEqual(['billing', 'priority', 'late']); // in the old one's place
    expect(await labelsOf('447700900002@c.us')).toEqual(['priority']);
    expect(await labelsOf('447700900003@c.us')).toEqual(['billing']);
    expect((await repos.contacts.labelCounts()).get('priority')).toBe(2);
    const [entry] = await repos.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'U0LEAD01', action: 'label_rename', args: { label: 'vip', to: 'priority', contacts: 2 }, outcome: 'ok', at: time.clock() });
    expect(await wa('help')).toContain('/wa label rename &lt;old&gt; &lt;new&gt;');
  });

  it('when a rename cannot be done, then the lead is told exactly why, with the usage line, and nothing changes', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.create({ name: 'billing' });
    await repos.contacts.recordInbound({ waId: '447700900001@c.us', at: time.clock() });
    await repos.contacts.addLabels('447700900001@c.us', ['vip', 'billing']);
    const usage = '\nUsage: `/wa label add|remove &lt;phone&gt; &lt;label…&gt;  ·  leads: /wa label create|delete &lt;label&gt;, /wa label rename &lt;old&gt; &lt;new&gt;, /wa label route &lt;label&gt; #channel [priority N]`';

    expect(await wa('label rename vip billing')).toBe(`A label \`billing\` already exists.${usage}`);
    expect(await wa('label rename gold platinum')).toBe(`No such label: \`gold\`. \`/wa labels\` lists them.${usage}`);
    expect(await wa('label rename vip <!channel>')).toBe(`\`&lt;!channel&gt;\` is not a label name: up to 40 letters, digits, dashes or underscores.${usage}`);
    expect(await wa('label rename vip')).toBe(`Say the new name.${usage}`);
    expect(await wa('label rename vip very important')).toMatch(/^A label name is one word/);
    expect(await wa('label rename vip VIP')).toMatch(/^The label is already called `vip`\./);
    // Operators typed as JSON are just text that is not a label name: they reach no query.
    expect(await wa('label rename {"$gt":""} gold')).toMatch(/^`\{"\$gt":""\}` is not a label name/);
    expect(await wa('label rename vip {"$gt":""}')).toMatch(/^`\{"\$gt":""\}` is not a label name/);

    expect((await repos.labels.list()).map((l) => l.name)).toEqual(['billing', 'vip']);
    expect((await repos.contacts.findByWaId('447700900001@c.us'))!.labels).toEqual(['vip', 'billing']);
    expect(await repos.audit.recent(10)).toEqual([]);
  });

  it('when someone who is not a lead tries to rename a label, then it is refused and audited, and nothing changes', async () => {
    await t.app.deps.repos.labels.create({ name: 'vip' });
    expect(await wa('label rename vip priority', 'U0AGENT')).toMatch(/`\/wa label rename` is for team leads/);
    expect((await t.app.deps.repos.labels.list()).map((l) => l.name)).toEqual(['vip']);
    const [entry] = await t.app.deps.repos.audit.recent(1);
    // The verb is kept, not what was typed (README → Who may do what).
    expect(entry).toMatchObject({ actor: 'U0AGENT', action: '/wa label', args: { subcommand: 'label rename', needs: 'lead' }, outcome: 'refused' });
    expect(JSON.stringify(entry!.args)).not.toContain('priority');
  });

  it('when a lead asks for a segment, then they get the count and a CSV in a direct message, with spreadsheet formulas defused', async () => {
    const repos = t.app.deps.repos;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.create({ name: 'billing' });
    const add = async (waId: string, name: string, labels: string[]) => {
      await repos.contacts.recordInbound({ waId, name, at: time.clock() });
      await repos.contacts.addLabels(waId, labels);
    };
    await add('447700900001@c.us', 'Bo Chen', ['vip', 'billing']);
    await add('447700900002@c.us', '=HYPERLINK("http://evil")', ['vip']);
    await add('447700900003@c.us', 'Cy Dee', ['billing']);
    const answer = await wa('segment VIP');
    expect(answer).toBe('*2* contacts in `vip`. The list was sent to you as a CSV in a direct message.');
    const done = await slack.waitFor('files.completeUploadExternal');
    expect(done.args.channel_id).toBe('D0LEAD01');
    const csv = slack.uploads.get((done.args.files as Array<{ id: string }>)[0]!.id)!.toString();
    expect(csv.split('\n')[0]).toBe('"phone","whatsapp_id","name","labels","consent","activity","activity_reason","last_message"');
    expect(csv).toContain(`"+447700900002","447700900002@c.us","'=HYPERLINK(""http://evil"")","vip","unknown","active"`);
    expect(await wa('segment vip billing')).toMatch(/^\*1\* contacts in `vip` \+ `billing`/);
    expect(await wa('segment vip opted-in')).toBe('No contacts in `vip`, opted in.');
    expect(await wa('segment nonsense')).toMatch(/No such label: `nonsense`/);
    expect(await wa('segment vip', 'U0AGENT')).toMatch(/is for team leads/);
  });

  it('when a lead erases a contact, then their data and messages are gone, our posts deleted, and the number stays opted out if they write again', async () => {
    const repos = t.app.deps.repos;
    const ana = '447911123456@c.us';
    await receiveAndMirror(t, { from: ana, pushName: 'Ana Lima', content: { kind: 'text', text: 'my address is 1 Main St' } });
    const contact = (await repos.contacts.findByWaId(ana))!;
    const posted = threadPosts(t).map((c) => String(c.result!.ts));
    expect(await wa('forget +44 7911 123456')).toMatch(/Ana Lima's data is erased: profile, 1 message and held files, .* 2 posts and 0 files of ours were deleted from Slack\. The number stays opted out/);
    expect(await repos.contacts.findByWaId(ana)).toBeNull();
    expect(await repos.messages.countByState('inbound')).toEqual({});
    expect(slack.callsTo('chat.delete').map((c) => c.args.ts).sort()).toEqual([contact.slack!.threadTs, ...posted].sort());
    expect(await repos.consentLedger.listForContact(ana)).toEqual([]);
    expect((await repos.consentLedger.listForContact(t.app.deps.privacy.pseudonym(ana)))[0]).toMatchObject({ type: 'erased', actor: 'U0LEAD01' });
    expect(JSON.stringify(await repos.audit.recent(1))).not.toContain('447911123456');

    // They write again: a new contact, opted out from the start; nothing can be sent to them.
    await receiveAndMirror(t, { from: ana, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello again' } });
    expect((await repos.contacts.findByWaId(ana))!.consent).toMatchObject({ status: 'opted_out', source: 'suppressed:erased' });
    expect(await wa('forget +447911123456', 'U0AGENT')).toMatch(/is for team leads/);
  });
});
