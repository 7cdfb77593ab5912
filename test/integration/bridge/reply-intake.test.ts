import { MongoNetworkError } from 'mongodb';
import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi, type SlackCall } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
let tsSeq = 0;
const nextSlackTs = () => `1800000500.${String(++tsSeq).padStart(6, '0')}`;

/**
 * The store failing chosen calls, as a dropped connection does: the next `times` calls of
 * `repo.method` (say `contacts.findBySlackThread`) fail, then it answers again.
 */
class StoreOutage {
  private readonly failing = new Map<string, number>();
  private readonly passing = new Map<string, number>();

  /** After `after` more calls that go through. */
  failNext(call: string, times: number, after = 0): void {
    this.failing.set(call, times);
    this.passing.set(call, after);
  }

  readonly wrap = (repos: Repositories): Repositories => {
    const wrapped: Record<string, unknown> = {};
    for (const [name, repo] of Object.entries(repos)) {
      wrapped[name] = new Proxy(repo as object, {
        get: (target, key) => {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const call = `${name}.${String(key)}`;
            const left = this.failing.get(call) ?? 0;
            const passes = this.passing.get(call) ?? 0;
            if (passes > 0) this.passing.set(call, passes - 1);
            if (left === 0 || passes > 0) return (value as (...a: unknown[]) => unknown).apply(target, args);
            this.failing.set(call, left - 1);
            return Promise.reject(new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed'));
          };
        },
      });
    }
    return wrapped as Repositories;
  };
}

/** Slack → WhatsApp when the store fails while a reply is taken in: nothing vanishes, nothing doubles. */
describe('reply intake', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  let thread: { channel: string; threadTs: string };
  let outage: StoreOutage;
  beforeEach(async () => {
    time = manualClock();
    outage = new StoreOutage();
    t = await startTestApp({}, { slack, clock: time.clock, wrapRepositories: outage.wrap });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Hi, question about my order' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  async function agentReplies(text: string, extra: { ts?: string; retry?: boolean; files?: object[] } = {}) {
    const ts = extra.ts ?? nextSlackTs();
    const envelope = messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts, ...(extra.files ? { subtype: 'file_share', files: extra.files } : {}) });
    const res = await postEvent(t.baseUrl, SIGNING_SECRET, envelope, extra.retry ? { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } } : {});
    expect(res.status).toBe(200);
    return ts;
  }
  const warned = (ts: string) => slack.waitFor('reactions.add', (c) => c.args.timestamp === ts && c.args.name === 'warning');
  const unwarned = (ts: string) => slack.callsTo('reactions.remove').filter((c) => c.args.timestamp === ts && c.args.name === 'warning');
  const ephemerals = (pattern: RegExp) => slack.callsTo('chat.postEphemeral').filter((c) => pattern.test(String(c.args.text)));
  /** The sweeper's pass, after the backoff has run out. */
  async function retryAfter(ms: number) {
    time.advance(ms);
    await t.app.replyIntake.runDue();
    await t.app.bridge.toWhatsApp.runDue();
  }
  const sentTexts = () => t.gateway.sent.map((s) => s.text ?? s.media?.caption);

  it('when the store fails before a reply is recorded, then the agent sees ⚠️ and one note, and once the store is back it goes to WhatsApp once and the ⚠️ goes', async () => {
    outage.failNext('contacts.findBySlackThread', 2);
    const ts = await agentReplies('Refund approved');
    await warned(ts);
    await slack.waitFor('chat.postEphemeral', (c) => /not been sent to WhatsApp yet/.test(String(c.args.text)));
    // Slack delivers the event again during the outage: it is the same reply, taken in once.
    await agentReplies('Refund approved', { ts, retry: true });
    await eventually(() => t.logs.some((l) => l.msg === 'reply already taken in (a repeated event)'), 'the repeat noticed');

    await t.app.replyIntake.runDue(); // still backing off: nothing tried
    await retryAfter(60_000); // the store fails once more: no second note
    expect(sentTexts()).toEqual([]);
    expect(unwarned(ts)).toHaveLength(0);
    await retryAfter(10 * 60_000);
    expect(sentTexts()).toEqual(['Refund approved']);
    expect(unwarned(ts)).toHaveLength(1);
    expect(ephemerals(/not been sent to WhatsApp yet/)).toHaveLength(1);
    expect(await t.app.deps.repos.intakes.findByKey(`${thread.channel}:${ts}`)).toMatchObject({ state: 'done', outcome: 'queued' });

    await retryAfter(60 * 60_000);
    expect(sentTexts()).toEqual(['Refund approved']);
    expect(await t.app.deps.repos.messages.countByState('outbound')).toEqual({ sent: 1 });
  });

  it('when even the intake cannot be written, then the agent sees ⚠️ and is told the reply was not taken and must be sent again', async () => {
    outage.failNext('intakes.record', 1);
    outage.failNext('contacts.findBySlackThread', 1);
    const ts = await agentReplies('Your parcel left today');
    await warned(ts);
    const note = await slack.waitFor('chat.postEphemeral', (c) => /NOT taken/.test(String(c.args.text)));
    expect(note.args).toMatchObject({ channel: thread.channel, user: 'U0AGENT', thread_ts: thread.threadTs });
    expect(String(note.args.text)).toMatch(/send it again/);
    expect(t.logs).toContainEqual(expect.objectContaining({ level: 50, channel: thread.channel, slackTs: ts, user: 'U0AGENT', msg: expect.stringMatching(/not taken/) }));
    await retryAfter(60 * 60_000);
    expect(sentTexts()).toEqual([]);
  });

  it('when a quick reply with a file fails to be recorded, then the retry neither counts the quick reply nor downloads the file again', async () => {
    await t.app.deps.repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks {{first_name}}!', author: 'U0LEAD01' });
    outage.failNext('messages.recordOutbound', 1);
    const invoice = slack.hostFile(Buffer.from('%PDF-1.4 invoice'), 'invoice.pdf', 'application/pdf');
    const ts = await agentReplies('!thanks here is the invoice', { files: [invoice] });
    await warned(ts);
    await retryAfter(60_000);
    expect(t.gateway.sent.map((s) => [s.kind, s.media?.filename, s.media?.caption])).toEqual([['media', 'invoice.pdf', 'Thanks Ana! here is the invoice']]);
    expect(slack.downloads).toHaveLength(1);
    expect((await t.app.deps.repos.quickReplies.findByShortcut('thanks'))!.usageCount).toBe(1);
    expect(ephemerals(/^:zap: Sent as/)).toHaveLength(1);
    expect(unwarned(ts)).toHaveLength(1);
  });

  it('when the store fails after the first of two files was queued, then the retry queues the second: each goes once', async () => {
    outage.failNext('messages.recordOutbound', 1, 1);
    const invoice = slack.hostFile(Buffer.from('%PDF-1.4 invoice'), 'invoice.pdf', 'application/pdf');
    const label = slack.hostFile(Buffer.from('%PDF-1.4 label'), 'label.pdf', 'application/pdf');
    const ts = await agentReplies('both attached', { files: [invoice, label] });
    await warned(ts);
    await retryAfter(60_000);
    expect(t.gateway.sent.map((s) => [s.kind, s.media?.filename, s.media?.caption])).toEqual([
      ['media', 'invoice.pdf', 'both attached'],
      ['media', 'label.pdf', undefined],
    ]);
    expect(slack.downloads).toHaveLength(2);
    await retryAfter(60 * 60_000);
    expect(t.gateway.sent).toHaveLength(2);
  });

  it('when the contact was erased before the retry, then nothing is sent and the agent is told why', async () => {
    outage.failNext('contacts.findBySlackThread', 1);
    const ts = await agentReplies('Are you still there?');
    await warned(ts);
    await t.app.deps.repos.contacts.erase(ANA, time.clock());
    await retryAfter(60_000);
    await retryAfter(60 * 60_000);
    expect(sentTexts()).toEqual([]);
    expect(await t.app.deps.repos.messages.countByState('outbound')).toEqual({});
    expect(ephemerals(/no longer a WhatsApp conversation/)).toHaveLength(1);
    expect(await t.app.deps.repos.intakes.findByKey(`${thread.channel}:${ts}`)).toMatchObject({ state: 'done', outcome: 'ignored' });
  });

  it('when a later reply comes while an earlier one waits for the store, then it waits too, and both go in the order written', async () => {
    outage.failNext('contacts.findBySlackThread', 1);
    const first = await agentReplies('Refund approved');
    await warned(first);
    const second = await agentReplies('Anything else?');
    await warned(second);
    await slack.waitFor('chat.postEphemeral', (c) => /waits for an earlier reply/.test(String(c.args.text)));
    await t.app.bridge.toWhatsApp.runDue();
    expect(sentTexts()).toEqual([]);
    await retryAfter(60_000);
    expect(sentTexts()).toEqual(['Refund approved', 'Anything else?']);
    expect([unwarned(first).length, unwarned(second).length]).toEqual([1, 1]);
  });

  describe('replies from the card\'s Reply modal', () => {
    const submitReply = (text: string) =>
      postInteraction(
        t.baseUrl,
        SIGNING_SECRET,
        viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), userId: 'U0AGENT', values: { text: { value: { type: 'plain_text_input', value: text } } } }),
      );
    const shown = (call: SlackCall) => /replied on WhatsApp/.test(String(call.args.text));

    it('when recording the reply fails, then it is owed, not lost: sent once after the store is back, with its reactions on the one post in the thread', async () => {
      outage.failNext('messages.recordOutbound', 1);
      expect((await submitReply('Your refund is on its way')).status).toBe(200);
      await slack.waitFor('chat.postEphemeral', (c) => /not been sent to WhatsApp yet/.test(String(c.args.text)));
      const post = threadPosts(t).find(shown)!;
      await warned(String(post.result!.ts));
      await retryAfter(60_000);
      expect(sentTexts()).toEqual(['Your refund is on its way']);
      expect(threadPosts(t).filter(shown)).toHaveLength(1);
      expect(await t.app.deps.repos.messages.findBySlackMessage(thread.channel, String(post.result!.ts))).toMatchObject({ delivery: { state: 'sent' } });
      expect(unwarned(String(post.result!.ts))).toHaveLength(1);
    });

    it('when the post made it but could not be noted, then the retry finds it in the thread and does not post again', async () => {
      outage.failNext('intakes.notePost', 1);
      await submitReply('Shipped this morning');
      await slack.waitFor('chat.postEphemeral', (c) => /not been sent to WhatsApp yet/.test(String(c.args.text)));
      await retryAfter(60_000);
      expect(sentTexts()).toEqual(['Shipped this morning']);
      expect(threadPosts(t).filter(shown)).toHaveLength(1);
      expect(slack.callsTo('conversations.replies').length).toBeGreaterThan(0);
    });

    it('when the reply cannot even be taken in, then the thread shows nothing and the agent is told to send it again', async () => {
      outage.failNext('intakes.record', 1);
      await submitReply('Hello again');
      await slack.waitFor('chat.postEphemeral', (c) => /NOT taken/.test(String(c.args.text)));
      await retryAfter(60 * 60_000);
      expect(threadPosts(t).filter(shown)).toHaveLength(0);
      expect(sentTexts()).toEqual([]);
    });
  });
});
