import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi, type KeptMessage } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
/** Longer than any backoff of a first or second retry (1 s base, doubling). */
const PAST_BACKOFF_MS = 10 * 60_000;

/** A message is in its thread exactly once, and whole, whatever fails between Slack and the store. Real app, store and Slack API. */
describe('posting WhatsApp messages to Slack under faults', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  /** Consulted before the store records a post: throw to fail that write (a dropped connection, an election). */
  let beforeMarkPosted: ((where: { channel: string; ts: string }) => void) | undefined;
  beforeEach(async () => {
    time = manualClock();
    beforeMarkPosted = undefined;
    t = await startTestApp(
      {},
      {
        slack,
        clock: time.clock,
        wrapRepositories: (repos) => ({
          ...repos,
          messages: {
            ...repos.messages,
            markPosted: async (id, where) => {
              beforeMarkPosted?.(where);
              return repos.messages.markPosted(id, where);
            },
          },
        }),
      },
    );
  });
  afterEach(async () => {
    await t.stop();
  });

  async function anasThreadRef(): Promise<{ channel: string; threadTs: string }> {
    return (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  }

  /** Ana's thread as Slack keeps it, without the contact card. */
  async function anasThread(): Promise<KeptMessage[]> {
    const { channel, threadTs } = await anasThreadRef();
    return slack.thread(channel, threadTs).slice(1);
  }

  /** Runs what is due now, then again once every backoff has passed (the retry). */
  async function deliverAndRetry(): Promise<void> {
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    time.advance(PAST_BACKOFF_MS);
    await t.app.bridge.toSlack.runDue();
  }

  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const sectionsOf = (m: KeptMessage) => (m.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section').map((b) => b.text!.text);
  /** Posts of one WhatsApp message, by their metadata. */
  const postsOf = (thread: KeptMessage[], waMessageId: string) =>
    thread.filter((m) => (m.metadata?.event_payload as { wa_message_id?: string } | undefined)?.wa_message_id === waMessageId);

  describe('posted once', () => {
    it('when Slack took a post but answered 500, then after the retry the message is in the thread exactly once, recorded against that post', async () => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'first' } });
      slack.acceptButFail('chat.postMessage');
      t.gateway.receive({ content: { kind: 'text', text: 'taken, answer lost' } });
      await deliverAndRetry();
      const thread = await anasThread();
      expect(thread.map((m) => m.text)).toEqual(['first', 'taken, answer lost']);
      const stored = await t.app.deps.repos.messages.findBySlackMessage((await anasThreadRef()).channel, thread[1]!.ts);
      expect(stored).toMatchObject({ body: 'taken, answer lost', delivery: { state: 'sent' } });
    });

    it('when the post went through but recording it failed once, then after the retry the message is in the thread exactly once', async () => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'first' } });
      // The store fails right after Slack took this one post.
      let records = 0;
      beforeMarkPosted = (where) => {
        const post = slack.callsTo('chat.postMessage').find((c) => c.result?.ts === where.ts);
        if (post?.args.text === 'posted, not recorded' && records++ === 0) throw new Error('MongoNetworkError: connection reset');
      };
      t.gateway.receive({ content: { kind: 'text', text: 'posted, not recorded' } });
      await deliverAndRetry();
      expect(records).toBe(2); // failed once, then recorded the post the retry found
      expect((await anasThread()).map((m) => m.text)).toEqual(['first', 'posted, not recorded']);
      expect(await t.app.deps.repos.messages.countByState('inbound')).toEqual({ sent: 2 });
    });

    it('when the thread already holds more than 200 replies, then the retry still finds its post and does not repeat it', async () => {
      const earlier = Array.from({ length: 230 }, (_, i) => ({ content: { kind: 'text' as const, text: `earlier ${i}` } }));
      await receiveAndMirror(t, ...earlier);
      slack.acceptButFail('chat.postMessage');
      const late = t.gateway.receive({ content: { kind: 'text', text: 'number 231' } });
      await deliverAndRetry();
      const thread = await anasThread();
      expect(thread).toHaveLength(231);
      expect(postsOf(thread, late.id).map((m) => m.text)).toEqual(['number 231']);
      // The look-up was bounded by time and paged past the first 200 replies.
      const lookups = slack.callsTo('conversations.replies');
      expect(lookups.every((c) => c.args.oldest !== undefined)).toBe(true);
      expect(lookups.some((c) => c.args.cursor)).toBe(true);
    });

    // A rate limit counts no attempt by itself (Slack refused that post); the part already posted makes it count.
    it.each([
      ['a 503', { body: { ok: false, error: 'internal_error' }, status: 503 }],
      ['a rate limit', { body: { ok: false, error: 'ratelimited' }, status: 429, headers: { 'retry-after': '0' } }],
    ])('when a long message met %s after its first part was posted, then the retry posts only the rest', async (_what, failure) => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'first' } });
      const long = 'word '.repeat(12_000); // 60,000 characters: two posts
      let failed = false;
      slack.respond('chat.postMessage', (call) => {
        const part = (call.args.metadata as { event_payload?: { part?: number } } | undefined)?.event_payload?.part;
        if (part !== 2 || failed) return undefined;
        failed = true;
        return failure;
      });
      const sent = t.gateway.receive({ content: { kind: 'text', text: long } });
      await deliverAndRetry();
      expect(failed).toBe(true);
      const posts = postsOf(await anasThread(), sent.id);
      expect(posts.map((m) => (m.metadata!.event_payload as { part: number }).part)).toEqual([1, 2]);
      expect(posts.map((m) => m.text).join('')).toBe(long);
      expect(slack.callsTo('chat.postMessage').filter((c) => (c.args.metadata as { event_payload?: { part?: number } } | undefined)?.event_payload?.part === 1)).toHaveLength(1);
    });

    it('when a post meets a rate limit, then the retry posts it without reading the thread (Slack refused it; a look-up per rate-limited message would cost another rate-limited call)', async () => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'first' } });
      slack.respond('chat.postMessage', { ok: false, error: 'ratelimited' }, { status: 429, headers: { 'retry-after': '0' } });
      t.gateway.receive({ content: { kind: 'text', text: 'limited' } });
      await deliverAndRetry();
      expect((await anasThread()).map((m) => m.text)).toEqual(['first', 'limited']);
      expect(slack.callsTo('conversations.replies')).toEqual([]);
    });
  });

  describe('long messages, whole', () => {
    it('when a phone-sent message of 3,100 "&" is mirrored, then it arrives in full and in order, every section within Slack’s 3,000 characters', async () => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'hi' } });
      const text = '&'.repeat(3_100);
      const sent = t.gateway.sendFromPhone(ANA, { content: { kind: 'text', text } });
      await t.app.bridge.recorded();
      await t.app.bridge.toSlack.runDue();
      expect(await t.app.deps.repos.messages.findByWaMessageId(sent.id)).toMatchObject({ delivery: { state: 'sent' } });
      const posts = postsOf(await anasThread(), sent.id);
      const sections = posts.flatMap(sectionsOf);
      expect(sections.length).toBeGreaterThan(1);
      expect(sections.every((s) => s.length <= 3_000 && !/&[a-z]*$/.test(s))).toBe(true);
      expect(unescape(sections.join(''))).toBe(text);
      expect(unescape(posts.map((m) => m.text).join(''))).toBe(text);
      expect(JSON.stringify(posts.at(-1)!.blocks)).toContain('Sent from the phone, not through Switchboard.');
    });

    it('when a 200,000-character message arrives, then it goes out as several posts, in order, nothing cut', async () => {
      const lines = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(5, '0')} <a> & b ..`); // 20 characters a line, with its break
      const text = lines.join('\n').padEnd(200_000, '.');
      const sent = await receiveAndMirror(t, { content: { kind: 'text', text } });
      const posts = postsOf(await anasThread(), sent[0]!.id);
      expect(posts.length).toBeGreaterThanOrEqual(6); // escaped, some 300,000 characters: 40,000 a post
      expect(posts.map((m) => (m.metadata!.event_payload as { part: number }).part)).toEqual(posts.map((_, i) => i + 1));
      expect(unescape(posts.map((m) => m.text).join(''))).toBe(text);
    });

    it('when a 200,000-character message is sent from the phone, then its posts keep within 50 blocks and 40,000 characters each, in order', async () => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'hi' } });
      const text = 'x'.repeat(200_000);
      const sent = t.gateway.sendFromPhone(ANA, { content: { kind: 'text', text } });
      await t.app.bridge.recorded();
      await t.app.bridge.toSlack.runDue();
      const posts = postsOf(await anasThread(), sent.id);
      expect(posts.length).toBeGreaterThanOrEqual(5);
      expect(posts.every((m) => (m.blocks as unknown[]).length <= 50 && (m.text ?? '').length <= 40_000)).toBe(true);
      expect(posts.flatMap(sectionsOf).join('')).toBe(text);
    });
  });
});
