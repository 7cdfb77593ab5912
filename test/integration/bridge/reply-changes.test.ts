import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageChangedEnvelope, messageDeletedEnvelope, messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';
import { setChannelMode } from '../../../src/workflow/channel-mode';

const ANA = '447911123456@c.us';
let seq = 0;

/** Agents edit and delete their replies in Slack; WhatsApp follows where it can. */
describe('agent edits and deletes', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  let thread: { channel: string; threadTs: string };
  beforeEach(async () => {
    time = manualClock();
    t = await startTestApp({}, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hello?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  const post = (envelope: object) => postEvent(t.baseUrl, SIGNING_SECRET, envelope);
  async function reply(text: string): Promise<string> {
    const ts = `1800000200.${String(++seq).padStart(6, '0')}`;
    await post(messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts }));
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)) !== null, 'the reply recorded');
    return ts;
  }
  const edit = (ts: string, text: string) => post(messageChangedEnvelope({ channel: thread.channel, threadTs: thread.threadTs, ts, text }));
  const remove = (ts: string) => post(messageDeletedEnvelope({ channel: thread.channel, threadTs: thread.threadTs, ts }));
  const ephemeral = (pattern: RegExp) => slack.waitFor('chat.postEphemeral', (c) => pattern.test(String(c.args.text)));

  it('when a queued reply is edited, then only the new text is sent; when one is deleted, then it is never sent', async () => {
    t.gateway.setState('disconnected');
    const edited = await reply('Your order ships Monday');
    const deleted = await reply('sorry, wrong customer');
    await edit(edited, 'Your order ships Tuesday');
    await eventually(async () => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, edited))!.body === 'Your order ships Tuesday', 'rewritten');
    await remove(deleted);
    await ephemeral(/withdrawn before it reached WhatsApp/);
    t.gateway.setState('connected');
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => [s.kind, s.text])).toEqual([['text', 'Your order ships Tuesday']]);
  });

  it('when a sent reply is edited within 15 minutes, then WhatsApp gets the edit; later, the agent is told it cannot', async () => {
    const ts = await reply('See you at 3pm');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    const waId = t.gateway.sent[0]!.id;
    time.advance(14 * 60_000);
    await edit(ts, 'See you at 4pm');
    await eventually(() => t.gateway.sent.length === 2, 'the edit carried');
    expect(t.gateway.sent[1]).toMatchObject({ kind: 'edit', messageId: waId, text: 'See you at 4pm' });
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ body: 'See you at 4pm', edited: true });

    time.advance(2 * 60_000);
    await edit(ts, 'See you at 5pm');
    await ephemeral(/edits for 15 minutes/);
    expect(t.gateway.sent).toHaveLength(2);
  });

  it('when a sent reply is deleted, then it is deleted for everyone on WhatsApp — unless it is too old', async () => {
    const recent = await reply('private link: https://example.com/x');
    const old = await reply('an old message');
    await eventually(() => t.gateway.sent.length === 2, 'both sent');
    await remove(recent);
    await eventually(() => t.gateway.sent.some((s) => s.kind === 'revoke'), 'the delete carried');
    expect(t.gateway.sent.find((s) => s.kind === 'revoke')).toMatchObject({ messageId: t.gateway.sent[0]!.id });
    time.advance(61 * 3600_000);
    await remove(old);
    await ephemeral(/Too old to delete on WhatsApp/);
    expect(t.gateway.sent.filter((s) => s.kind === 'revoke')).toHaveLength(1);
  });

  it('when the contact has opted out since, then an edit is not carried to WhatsApp', async () => {
    const ts = await reply('Hi Ana');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
    await edit(ts, 'Hi Ana, one more thing');
    await ephemeral(/Not edited on WhatsApp: the contact opted out/);
    expect(t.gateway.sent.filter((s) => s.kind === 'edit')).toHaveLength(0);
  });

  it('when a signed reply is edited after its signature can no longer be looked up, then the edit keeps the signature it went out with', async () => {
    await t.stop();
    t = await startTestApp({ AGENT_SIGNATURE: 'first_name' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hello again?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const ts = await reply('See you at 3pm');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    expect(t.gateway.sent[0]!.text).toBe('See you at 3pm\n— User');
    // Past the profile cache, and Slack cannot tell who the agent is any more.
    time.advance(11 * 60_000);
    slack.respond('users.info', () => ({ ok: false, error: 'user_not_found' }));
    await edit(ts, 'See you at 4pm');
    await eventually(() => t.gateway.sent.length === 2, 'the edit carried');
    expect(t.gateway.sent[1]).toMatchObject({ kind: 'edit', text: 'See you at 4pm\n— User' });
  });

  it('when a queued reply is edited into an internal note, then it is withdrawn and neither text reaches WhatsApp', async () => {
    t.gateway.setState('disconnected');
    const ts = await reply('Your refund is approved');
    await edit(ts, '// check with finance first');
    await ephemeral(/now an internal note.*withdrawn/);
    t.gateway.setState('connected');
    time.advance(60_000);
    await t.app.bridge.catchUp();
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0);
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ body: 'Your refund is approved', delivery: { state: 'failed' } });
  });

  it('when a sent reply is edited into an internal note, then the edit is not carried to WhatsApp, and the agent is told the contact still has it', async () => {
    const ts = await reply('See you at 3pm');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    await edit(ts, '// she never showed up last time');
    await ephemeral(/internal note.*not carried to WhatsApp/);
    expect(t.gateway.sent.filter((s) => s.kind === 'edit')).toHaveLength(0);
    expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts)).toMatchObject({ body: 'See you at 3pm' });
  });

  it('when the channel has become notes-only, then an edit of a sent reply is not carried to WhatsApp', async () => {
    const ts = await reply('See you at 3pm');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    await setChannelMode(t.app.deps.repos.settings, thread.channel, 'notes-only');
    await edit(ts, 'See you at 4pm');
    await ephemeral(/notes-only.*not carried to WhatsApp/);
    expect(t.gateway.sent.filter((s) => s.kind === 'edit')).toHaveLength(0);
  });

  describe('quick replies', () => {
    beforeEach(async () => {
      await t.app.deps.repos.quickReplies.create({ shortcut: 'hours', body: 'We are open 9–17, {{first_name}}.', author: 'U0LEAD01' });
    });
    const stored = async (ts: string) => (await t.app.deps.repos.messages.findBySlackMessage(thread.channel, ts))!;
    /** The app has looked at `n` changes that change nothing the contact would see. */
    const unchanged = (n: number) => eventually(() => t.logs.filter((l) => l.msg === 'an edit that changes nothing the contact would see; nothing to carry').length === n, `${n} unchanged`);

    it('when a queued !shortcut reply is edited, then the edit is expanded as a new reply is, and only that is sent', async () => {
      t.gateway.setState('disconnected');
      const ts = await reply('!hours');
      expect((await stored(ts)).body).toMatch(/^We are open 9–17, /);
      const name = (await stored(ts)).body!.slice('We are open 9–17, '.length);
      await edit(ts, '!hours See you soon!');
      await eventually(async () => (await stored(ts)).body!.endsWith('See you soon!'), 'rewritten');
      expect((await stored(ts)).body).toBe(`We are open 9–17, ${name} See you soon!`);
      t.gateway.setState('connected');
      time.advance(60_000);
      await t.app.bridge.toWhatsApp.runDue();
      expect(t.gateway.sent.map((s) => s.text)).toEqual([`We are open 9–17, ${name} See you soon!`]);
    });

    it('when Slack unfurls a link in a queued !shortcut reply, then the reply keeps its expanded text', async () => {
      t.gateway.setState('disconnected');
      const ts = await reply('!hours https://example.com/hours');
      const before = (await stored(ts)).body!;
      expect(before).toMatch(/^We are open 9–17, .*https:\/\/example\.com\/hours$/);
      await post(messageChangedEnvelope({ channel: thread.channel, threadTs: thread.threadTs, ts, text: '!hours <https://example.com/hours>', previousText: '!hours <https://example.com/hours>' }));
      await unchanged(1);
      expect((await stored(ts)).body).toBe(before);
      t.gateway.setState('connected');
      time.advance(60_000);
      await t.app.bridge.toWhatsApp.runDue();
      expect(t.gateway.sent.map((s) => s.text)).toEqual([before]);
      expect(slack.callsTo('chat.postEphemeral').filter((c) => /withdrawn|No quick reply/.test(String(c.args.text)))).toHaveLength(0);
    });

    it('when a sent !shortcut reply is unfurled or edited to the same words, then nothing goes to WhatsApp; a real edit goes expanded', async () => {
      const ts = await reply('!hours');
      await eventually(() => t.gateway.sent.length === 1, 'sent');
      expect(t.gateway.sent[0]!.text).toMatch(/^We are open 9–17, .+\.$/);
      // The unfurl: Slack changes the message, not its words.
      await post(messageChangedEnvelope({ channel: thread.channel, threadTs: thread.threadTs, ts, text: '!hours', previousText: '!hours' }));
      await unchanged(1);
      // An edit whose expansion is what the contact already has.
      await edit(ts, '!hours  ');
      await unchanged(2);
      expect(t.gateway.sent).toHaveLength(1);
      await edit(ts, '!hours Thanks!');
      await eventually(() => t.gateway.sent.length === 2, 'the real edit carried');
      expect(t.gateway.sent[1]).toMatchObject({ kind: 'edit', text: `${t.gateway.sent[0]!.text} Thanks!` });
      expect(t.gateway.sent.filter((s) => s.kind === 'edit')).toHaveLength(1);
      expect(slack.callsTo('chat.postEphemeral').filter((c) => /withdrawn|No quick reply|not carried/.test(String(c.args.text)))).toHaveLength(0);
    });

    it('when a reply is edited into a !shortcut that does not exist, then it is not sent as typed', async () => {
      t.gateway.setState('disconnected');
      const ts = await reply('Our hours are on the website');
      await edit(ts, '!hourz');
      await ephemeral(/No quick reply `!hourz`/);
      t.gateway.setState('connected');
      time.advance(60_000);
      await t.app.bridge.catchUp();
      await t.app.bridge.toWhatsApp.runDue();
      expect(t.gateway.sent.filter((s) => s.text === '!hourz')).toHaveLength(0);
    });
  });

  it('when the contact opts out while an edit waits for its anti-ban slot, then the edit is not carried', async () => {
    await t.stop();
    const slots: Array<() => void> = [];
    t = await startTestApp({}, { slack, clock: time.clock, sendThrottle: { sleep: () => new Promise<void>((resolve) => slots.push(resolve)), random: () => 0.5 } });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hello again?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const ts = await reply('See you at 3pm');
    await eventually(() => slots.length === 1, 'the reply waiting for its slot');
    slots.shift()!();
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    await edit(ts, 'See you at 4pm');
    await eventually(() => slots.length === 1, 'the edit waiting for its slot');
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
    slots.shift()!();
    await ephemeral(/Could not edit it on WhatsApp.*opted out/);
    // The opt-out's confirmation takes the next slot; the edit never goes.
    const confirmation = t.app.deps.config.bridge.optOutConfirmation;
    await eventually(() => (slots.splice(0).forEach((open) => open()), t.gateway.sent.some((s) => s.text === confirmation)), 'the confirmation sent');
    expect(t.gateway.sent.filter((s) => s.kind === 'edit')).toHaveLength(0);
  });
});
