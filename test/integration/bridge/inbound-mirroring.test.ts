import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { postSlashCommand } from '../../support/slack/signed-request';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const INBOX = 'C0INBOX01';

/** WhatsApp → Slack through the real app, MongoDB and the fake Slack API, on an injected clock. */
describe('inbound mirroring', () => {
  const slack = useFakeSlackApi();

  async function withApp(test: (t: TestApp, time: ReturnType<typeof manualClock>) => Promise<void>, options: { dbName?: string; keepDb?: boolean } = {}) {
    const time = manualClock();
    const t = await startTestApp({}, { slack, clock: time.clock, ...options });
    try {
      await test(t, time);
    } finally {
      await t.stop();
    }
  }

  it('when a contact writes for the first time, then a contact card opens a thread in the inbox and the message follows in it, under their name', () =>
    withApp(async (t) => {
      await receiveAndMirror(t, { from: '447911123456@c.us', pushName: 'Ana Lima', content: { kind: 'text', text: 'Hello, my order is late' } });
      const [root] = slack.callsTo('chat.postMessage');
      expect(root!.args).toMatchObject({ channel: INBOX });
      expect(root!.args.thread_ts).toBeUndefined();
      expect(JSON.stringify(root!.args.blocks)).toContain('+447911123456');
      const [post] = threadPosts(t);
      expect(post!.args).toMatchObject({ channel: INBOX, thread_ts: root!.result!.ts, text: 'Hello, my order is late', username: 'Ana Lima' });
      expect(post!.args.link_names).toBeUndefined();
      const contact = await t.app.deps.repos.contacts.findByWaId('447911123456@c.us');
      expect(contact).toMatchObject({ e164: '+447911123456', name: 'Ana Lima', slack: { channel: INBOX, threadTs: root!.result!.ts } });
      const stored = await t.app.deps.repos.messages.countByState('inbound');
      expect(stored).toEqual({ sent: 1 });

      // The second message goes into the same thread; no second card.
      await receiveAndMirror(t, { from: '447911123456@c.us', content: { kind: 'text', text: 'Are you there?' } });
      expect(slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts)).toHaveLength(1);
      expect(threadPosts(t).map((c) => c.args.thread_ts)).toEqual([root!.result!.ts, root!.result!.ts]);
    }));

  it('when a message carries Slack markup, then it arrives inert', () =>
    withApp(async (t) => {
      await receiveAndMirror(t, { content: { kind: 'text', text: '<!channel> hi <@U123> see <https://evil.example|click> & more' } });
      const text = String(threadPosts(t)[0]!.args.text);
      expect(text).toBe('&lt;!channel&gt; hi &lt;@U123&gt; see &lt;https://evil.example|click&gt; &amp; more');
    }));

  it('when WhatsApp delivers the same message twice, then Slack gets it once', () =>
    withApp(async (t) => {
      await receiveAndMirror(t, { id: 'false_447911123456@c.us_DUP1', content: { kind: 'text', text: 'once' } }, { id: 'false_447911123456@c.us_DUP1', content: { kind: 'text', text: 'once' } });
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['once']);
    }));

  it('when a location, a contact card and a quoted reply arrive, then each reads naturally in Slack', () =>
    withApp(async (t) => {
      await receiveAndMirror(
        t,
        { content: { kind: 'location', latitude: 51.5007, longitude: -0.1246, name: 'Big Ben', address: 'London <SW1A>' } },
        { content: { kind: 'contact_card', vcards: ['BEGIN:VCARD\nVERSION:3.0\nFN:Bo Chen\nTEL;type=CELL:+44 7700 900123\nEND:VCARD'] } },
        { content: { kind: 'text', text: 'yes that one' }, quoted: { id: 'x', text: 'Which <parcel>?' } },
      );
      const [location, card, quoted] = threadPosts(t).map((c) => String(c.args.text));
      expect(location).toContain('Big Ben — London &lt;SW1A&gt;');
      expect(location).toMatch(/<https:\/\/www\.openstreetmap\.org\/\?mlat=51\.5007&mlon=-0\.1246[^|]*\|51\.500700, -0\.124600>/);
      expect(card).toBe(':bust_in_silhouette: Bo Chen, +44 7700 900123');
      expect(quoted).toBe('> Which &lt;parcel&gt;?\nyes that one');
    }));

  it('when Slack answers 500 for a stretch, then every message is delivered once, in order, after it recovers', () =>
    withApp(async (t, time) => {
      let failing = true;
      slack.respond('chat.postMessage', () => (failing ? { status: 500, body: { ok: false, error: 'internal_error' } } : { ok: true, ts: 'unused' }));
      await receiveAndMirror(t, ...[1, 2, 3, 4, 5].map((n) => ({ content: { kind: 'text' as const, text: `m${n}` } })));
      for (let i = 0; i < 5; i++) {
        time.advance(60_000);
        await t.app.bridge.toSlack.runDue();
      }
      expect(threadPosts(t)).toHaveLength(0);
      slack.reset(); // Slack recovers: default answers again
      failing = false;
      time.advance(10 * 60_000);
      await t.app.bridge.toSlack.runDue();
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    }));

  it('when Slack says 429 with Retry-After, then the message waits that long and nothing is lost or reordered', () =>
    withApp(async (t, time) => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'first' } });
      slack.respond('chat.postMessage', { ok: false, error: 'ratelimited' }, { status: 429, headers: { 'retry-after': '1' } });
      await receiveAndMirror(t, { content: { kind: 'text', text: 'second' } }, { content: { kind: 'text', text: 'third' } });
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['first']);
      const waiting = await t.app.deps.repos.messages.countByState('inbound');
      expect(waiting).toMatchObject({ sent: 1, pending: 2 });
      time.advance(999);
      await t.app.bridge.toSlack.runDue();
      expect(threadPosts(t)).toHaveLength(1); // not before Retry-After
      time.advance(1);
      await t.app.bridge.toSlack.runDue();
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['first', 'second', 'third']);
    }));

  it('when a channel is not joined, then the app joins it and posts; a missing channel is recorded as failed, not dropped', () =>
    withApp(async (t) => {
      slack.respond('chat.postMessage', { ok: false, error: 'not_in_channel' });
      await receiveAndMirror(t, { content: { kind: 'text', text: 'after join' } });
      expect(slack.callsTo('conversations.join').map((c) => c.args.channel)).toEqual([INBOX]);
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['after join']);

      slack.respond('chat.postMessage', { ok: false, error: 'channel_not_found' });
      await receiveAndMirror(t, { from: '447700900999@c.us', content: { kind: 'text', text: 'lost channel' } });
      expect(await t.app.deps.repos.messages.countByState('inbound')).toEqual({ sent: 1, failed: 1 });
      expect(t.logs.some((l) => l.msg === 'message failed for good' && l.reason === 'channel_not_found')).toBe(true);
      // …and counted where people look.
      await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'status', response_url: slack.responseUrl('after-failure') });
      const status = await slack.waitForResponse((p) => p.id === 'after-failure');
      expect(String(status.body.text)).toContain('*WhatsApp → Slack:* 0 waiting · 1 failed');
    }));

  it('when the app restarts with 100 messages queued, then each is delivered exactly once, in order', async () => {
    const dbName = uniqueDbName('restart-100');
    const texts = Array.from({ length: 100 }, (_, i) => `queued ${i + 1}`);
    await withApp(
      async (t) => {
        slack.respond('chat.postMessage', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
        await receiveAndMirror(t, ...texts.map((text, i) => ({ from: `4479111000${String(i % 4).padStart(2, '0')}@c.us`, content: { kind: 'text' as const, text } })));
        expect(threadPosts(t)).toHaveLength(0);
      },
      { dbName, keepDb: true },
    );
    slack.reset();
    await withApp(
      async (t, time) => {
        time.advance(2 * 3600_000); // claims and backoffs from the first run have lapsed
        await t.app.bridge.toSlack.runDue();
        const posted = threadPosts(t).map((c) => String(c.args.text));
        expect(posted).toHaveLength(100);
        expect(new Set(posted).size).toBe(100);
        // Per conversation, in the order they arrived.
        for (let contact = 0; contact < 4; contact++) {
          const mine = texts.filter((_, i) => i % 4 === contact);
          expect(posted.filter((p) => mine.includes(p))).toEqual(mine);
        }
      },
      { dbName },
    );
  });

  it('when an instance crashed after posting but before recording it, then the next one finds its post and does not repeat it', () =>
    withApp(async (t, time) => {
      await receiveAndMirror(t, { content: { kind: 'text', text: 'before the crash' } });
      await t.app.bridge.toSlack.stop(); // this instance's dispatcher stands aside; the "crashed" one acts below
      const [{ id: waId }] = [t.gateway.receive({ id: 'false_447911123456@c.us_CRASH', content: { kind: 'text', text: 'posted, then crash' } })];
      await t.app.bridge.recorded();
      // A crashed instance's doing: claimed, posted with our metadata, never marked posted.
      const repo = t.app.deps.repos.messages;
      const claim = await repo.claimHead('inbound', '447911123456@c.us', time.clock(), 60_000);
      expect(claim?.message.waMessageId).toBe(waId);
      const contact = await t.app.deps.repos.contacts.findByWaId('447911123456@c.us');
      await fetch(`${slack.url}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test-token' },
        body: JSON.stringify({ channel: contact!.slack!.channel, thread_ts: contact!.slack!.threadTs, text: 'posted, then crash', metadata: { event_type: 'switchboard_wa_message', event_payload: { wa_message_id: waId } } }),
      });
      time.advance(61_000);
      t.app.bridge.toSlack.start();
      await t.app.bridge.toSlack.runDue();
      expect(threadPosts(t).map((c) => c.args.text)).toEqual(['before the crash', 'posted, then crash']);
      expect(await repo.countByState('inbound')).toEqual({ sent: 2 });
    }));
});
