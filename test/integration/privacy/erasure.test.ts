import { WebClient } from '@slack/web-api';
import { MongoClient, type Db } from 'mongodb';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { testServerUri, uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
/** Every form Ana's number could be kept in, and her name. */
const ANA_TRACES = ['447911123456', '7911123456', '7911 123456', 'Ana Lima'];
const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

let n = 0;

/** Erasure that erases: after `/wa forget`, nothing in the store or in the app's Slack posts still names the person. */
describe('erasure', () => {
  const slack = useFakeSlackApi();
  const time = manualClock();
  let t: TestApp;
  let client: MongoClient;
  let db: Db;
  beforeEach(async () => {
    const dbName = uniqueDbName('erase');
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock, dbName });
    client = await MongoClient.connect(testServerUri());
    db = client.db(dbName);
  });
  afterEach(async () => {
    await client.close();
    await t.stop();
  });

  /** A `/wa` command's answer; `waitMs` for work that makes hundreds of Slack calls before answering. */
  async function wa(text: string, user = 'U0LEAD01', waitMs = 3000): Promise<string> {
    const id = `e${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id, waitMs)).body.text);
  }

  /** Every document of every collection, as text, that contains one of `traces`. */
  async function documentsNaming(traces: string[]): Promise<string[]> {
    const hits: string[] = [];
    for (const { name } of await db.listCollections().toArray()) {
      for (const doc of await db.collection(name).find().toArray()) {
        const text = JSON.stringify(doc);
        if (traces.some((trace) => text.includes(trace))) hits.push(`${name}: ${text.slice(0, 300)}`);
      }
    }
    return hits;
  }

  it('when a lead erases a contact, then no collection names them, ledger and audit keep a keyed pseudonym, and every app post and file in their thread is deleted', async () => {
    const repos = t.app.deps.repos;
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'my address is 1 Main St' } });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'media', mimetype: 'image/jpeg', filename: 'passport.jpg', size: photo.length, caption: 'my passport', fetch: async () => photo } });
    const thread = (await repos.contacts.findByWaId(ANA))!.slack!;
    const agentsOwn = slack.userPost(thread.channel, thread.threadTs, 'U0AGENT1', 'Thanks Ana, noted your address');
    await repos.conversations.setStatus(ANA, 'resolved', 'U0AGENT1', time.clock());
    expect(await wa('optout +44 7911 123456 she phoned: Ana Lima, 07911 123456')).toMatch(/is opted out/);
    expect(await documentsNaming(ANA_TRACES)).not.toEqual([]);

    const answer = await wa('forget +44 7911 123456');

    expect(await documentsNaming(ANA_TRACES)).toEqual([]);
    const pseudonym = t.app.deps.privacy.pseudonym(ANA);
    const ledger = await repos.consentLedger.listForContact(pseudonym);
    expect(ledger.map((e) => e.type)).toEqual(['erased', 'opt_out']);
    expect(ledger[1]!.evidence).toBe('[erased]');
    expect(ledger[0]).toMatchObject({ actor: 'U0LEAD01', source: 'slack:command' });
    expect(await db.collection('audit').countDocuments({ 'args.contact': pseudonym })).toBeGreaterThanOrEqual(2);
    expect(await db.collection('conversation_events').countDocuments({})).toBe(0);

    // Slack: only the agent's own message is left in the thread, and the lead gets its link.
    const left = slack.thread(thread.channel, thread.threadTs);
    expect(left.map((m) => m.user ?? 'bot')).toEqual(['U0AGENT1']);
    const uploaded = slack.callsTo('files.completeUploadExternal').flatMap((c) => (c.args.files as Array<{ id: string }>).map((f) => f.id));
    expect(uploaded).toHaveLength(1);
    expect(slack.callsTo('files.delete').map((c) => c.args.file)).toEqual(uploaded);
    expect(answer).toMatch(/Ana Lima's data is erased/);
    expect(answer).toContain(`/archives/${thread.channel}/p${agentsOwn.replace('.', '')}`);
    expect(answer).toMatch(/1 message .*agents wrote .*delete/i);
  });

  it('when Slack fails partway through the clean-up, then the lead is told to run it again, and running it again finishes it', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'one' } }, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'two' } });
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    // Slack fails one delete (a 500 is not retried: Slack may have done it).
    slack.respond('chat.delete', { ok: false, error: 'internal_error' }, { status: 500 });
    const first = await wa('forget +447911123456');
    expect(first).toMatch(/Ana Lima's data is erased/);
    expect(first).toMatch(/would not delete 1 of our posts or files[^]*\/wa forget \+447911123456` again to finish/);
    expect(slack.thread(thread.channel, thread.threadTs)).toHaveLength(1);
    expect(await documentsNaming(ANA_TRACES)).toEqual([]);

    const again = await wa('forget +447911123456');
    expect(again).toMatch(/Finished erasing \+447911123456 in Slack: 1 post/);
    expect(slack.thread(thread.channel, thread.threadTs)).toEqual([]);
    // Once finished, the number is simply erased.
    expect(await wa('forget +447911123456')).toMatch(/^\+447911123456 was erased on 2026-11-25 by <@U0LEAD01>/);
  });

  it('when the thread is longer than a page of Slack replies, then every app post in it is deleted', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const bot = new WebClient('xoxb-test-token', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    for (let i = 0; i < 230; i++) await bot.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: `notice ${i}` });
    expect(await wa('forget +447911123456', 'U0LEAD01', 30_000)).toMatch(/232 posts and 0 files of ours were deleted/);
    expect(slack.thread(thread.channel, thread.threadTs)).toEqual([]);
  }, 60_000);

  it('when an erased number is looked up, then /wa consent, optin and optout say when and by whom it was erased and that it stays opted out; nothing is sent', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    await wa('forget +447911123456');
    const erased = /^\+447911123456 was erased on 2026-11-25 by <@U0LEAD01>\. It stays opted out: nothing is sent to it\./;
    expect(await wa('consent +447911123456', 'U0AGENT1')).toMatch(erased);
    expect(await wa('optin +447911123456', 'U0AGENT1')).toMatch(erased);
    expect(await wa('optout +447911123456', 'U0AGENT1')).toMatch(erased);
    expect(await wa('contact +447911123456', 'U0AGENT1')).toMatch(erased);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);
  });

  it('when a contact is known only by its @lid id, then /wa forget takes that id', async () => {
    const lid = '190000000000001@lid';
    await receiveAndMirror(t, { from: lid, pushName: 'Lid Only', content: { kind: 'text', text: 'hello' } });
    expect(await wa(`forget ${lid}`)).toMatch(/Lid Only's data is erased/);
    expect(await t.app.deps.repos.contacts.findByWaId(lid)).toBeNull();
    expect(await documentsNaming(['190000000000001', 'Lid Only'])).toEqual([]);
    expect(await wa('forget 12345@lid')).toMatch(/No contact has the WhatsApp id `12345@lid`/);
    // The phone form as WhatsApp's own servers write it, in any case.
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    expect(await wa('forget 447911123456@S.WhatsApp.Net')).toMatch(/Ana Lima's data is erased/);
  });

  it('when the contact\'s other WhatsApp id is known but never wrote, then that id is suppressed too', async () => {
    const lid = '190000000000009@lid';
    await receiveAndMirror(t, { from: ANA, alias: lid, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.aliasWaId).toBe(lid);
    await wa('forget +447911123456');
    expect(await t.app.deps.repos.contacts.suppressionOf(lid)).toMatchObject({ reason: 'erased', by: 'U0LEAD01' });
    await receiveAndMirror(t, { from: lid, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello from the other id' } });
    expect((await t.app.deps.repos.contacts.findByWaId(lid))!.consent).toMatchObject({ status: 'opted_out', source: 'suppressed:erased' });
  });

  it('when "Forget contact" is used from the card or as a message shortcut, then a lead erases (after confirming) and anyone else is refused', async () => {
    const lid = '190000000000002@lid';
    await receiveAndMirror(t, { from: lid, pushName: 'Card Person', content: { kind: 'text', text: 'hello' } });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    const card = (await t.app.deps.repos.contacts.findByWaId(lid))!.slack!;
    const cardPost = slack.callsTo('chat.postMessage').find((c) => c.result?.ts === card.threadTs)!;
    const button = JSON.stringify(cardPost.args.blocks);
    expect(button).toContain('"action_id":"card_forget"');
    expect(button).toMatch(/"confirm":\{"title":\{"type":"plain_text","text":"Erase this contact\?"/);

    const press = (userId: string) => postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'card_forget', value: lid, userId, channelId: card.channel, messageTs: card.threadTs }));
    await press('U0AGENT1');
    await slack.waitFor('chat.postEphemeral', (c) => c.args.user === 'U0AGENT1' && /team leads/i.test(String(c.args.text)));
    expect(await t.app.deps.repos.contacts.findByWaId(lid)).not.toBeNull();
    await press('U0LEAD01');
    await slack.waitFor('chat.postEphemeral', (c) => c.args.user === 'U0LEAD01' && /Card Person's data is erased/.test(String(c.args.text)));
    expect(await t.app.deps.repos.contacts.findByWaId(lid)).toBeNull();

    // The shortcut on a message of Ana's thread: a confirmation modal, then the erasure on submit.
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    await postInteraction(t.baseUrl, SIGNING_SECRET, {
      type: 'message_action',
      callback_id: 'forget_contact',
      trigger_id: 'trig-forget',
      team: { id: 'T0TEAM', domain: 'test' },
      user: { id: 'U0LEAD01', username: 'lead', team_id: 'T0TEAM' },
      channel: { id: thread.channel, name: 'inbox' },
      message: { type: 'message', ts: '1700000099.000001', thread_ts: thread.threadTs, text: 'x' },
      response_url: slack.responseUrl('shortcut'),
      action_ts: '1',
    });
    const opened = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-forget');
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    expect(JSON.stringify(view)).toContain('Erase *Ana Lima*?');
    // Replayed by someone who is not a lead: refused at the submission too.
    const refused = await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: {}, userId: 'U0AGENT1' }));
    expect(refused.body).toMatch(/response_action/);
    expect(await t.app.deps.repos.contacts.findByWaId(ANA)).not.toBeNull();
    await postInteraction(t.baseUrl, SIGNING_SECRET, { ...viewSubmissionPayload({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: {}, userId: 'U0LEAD01' }), view: { id: 'V0SECOND', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: {} }, hash: 'h2' } });
    await eventually(async () => (await t.app.deps.repos.contacts.findByWaId(ANA)) === null, 'Ana erased');
    expect(await documentsNaming(ANA_TRACES)).toEqual([]);
  });

  it('when a lead records an opt-out for a number that never wrote, then it is kept (suppression and ledger) and the number starts opted out when it writes', async () => {
    const bo = '447912345678@c.us';
    expect(await wa('optout +44 7912 345678 asked by e-mail')).toBe(
      ':no_entry: +447912345678 has never written to us; its opt-out is recorded, so it starts opted out if it ever writes. Nothing will be sent to it.',
    );
    const [entry] = await t.app.deps.repos.consentLedger.listForContact(bo);
    expect(entry).toMatchObject({ type: 'opt_out', source: 'slack:command', actor: 'U0LEAD01', evidence: 'asked by e-mail' });
    expect(await db.collection('suppressions').countDocuments({ reason: 'opted_out', by: 'U0LEAD01' })).toBe(1);
    expect(await wa('optout +44 7912 345678')).toMatch(/already recorded as opted out on 2026-11-25 by <@U0LEAD01>/);

    await receiveAndMirror(t, { from: bo, pushName: 'Bo', content: { kind: 'text', text: 'hello, first time' } });
    expect((await t.app.deps.repos.contacts.findByWaId(bo))!.consent).toMatchObject({ status: 'opted_out', source: 'suppressed:opted_out' });
    expect(await wa('optin +447912345678')).toMatch(/opted out/);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toEqual([]);
  });
});
