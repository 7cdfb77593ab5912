import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand, type SignOptions } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const ANA_DIGITS = '7911123456';
const REFUSED = 'replayed Slack request refused';
const nowSec = () => Math.floor(Date.now() / 1000);

/**
 * Holds the first call of one repository method until released, so a test can make a second
 * request arrive while the first is still being processed.
 */
class Hold {
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  /** Resolves once the held call has arrived. */
  readonly reached: Promise<void>;
  private arrived!: () => void;
  private armed = false;
  private failing = false;

  constructor(private readonly call: string) {
    this.reached = new Promise<void>((resolve) => (this.arrived = resolve));
  }

  /** Holds the next call (calls before this go through: set-up makes some). */
  arm(): void {
    this.armed = true;
  }

  open(): void {
    this.release();
  }

  /** From now on every call of the method fails, as it would with the store unreachable. */
  fail(): void {
    this.failing = true;
  }

  readonly wrap = (repos: Repositories): Repositories => {
    const [repoName, method] = this.call.split('.') as [string, string];
    const repo = (repos as unknown as Record<string, Record<string, unknown>>)[repoName]!;
    const wrapped = new Proxy({}, {
      get: (_, key) => {
        const value = Reflect.get(repo, key, repo) as unknown;
        if (typeof value !== 'function' || key !== method) return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(repo) : value;
        return async (...args: unknown[]) => {
          if (this.failing) throw new Error('connection 3 to 127.0.0.1:27017 closed (injected)');
          if (this.armed) {
            this.armed = false;
            this.arrived();
            await this.gate;
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
        };
      },
    });
    return { ...repos, [repoName]: wrapped } as Repositories;
  };
}

/** A captured request sent again, and a modal submitted twice: each takes effect once. */
describe('replayed requests', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let others: TestApp[] = [];
  let holds: Hold[] = [];
  let thread: { channel: string; threadTs: string };

  const hold = (call: string) => {
    const made = new Hold(call);
    holds.push(made);
    return made;
  };

  async function start(options: Parameters<typeof startTestApp>[1] = {}) {
    t = await startTestApp({}, { slack, ...options });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Where is my order?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  }
  afterEach(async () => {
    for (const h of holds) h.open();
    holds = [];
    for (const other of others) await other.stop();
    others = [];
    await t.stop();
  });

  const replyView = (text: string, viewId = 'V0REPLY1') => {
    const payload = viewSubmissionPayload({ callbackId: 'conv_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), values: { text: { value: { type: 'plain_text_input', value: text } } } });
    return { ...payload, view: { ...payload.view, id: viewId } };
  };
  const submit = (payload: object, options: SignOptions = {}) => postInteraction(t.baseUrl, SIGNING_SECRET, payload, options);
  const sentTexts = () => t.gateway.sent.map((s) => s.text);
  /** Whatever the submissions queued has gone to WhatsApp. */
  async function settle(): Promise<void> {
    await t.app.replyIntake.runDue();
    await t.app.bridge.toWhatsApp.runDue();
  }
  const audited = async (action: string) => (await t.app.deps.repos.audit.recent(50)).filter((a) => a.action === action);

  describe('a signed request sent again with the same signature and timestamp', () => {
    it('when a /wa command is replayed, then the copy gets 401 and no answer, and one log line says so without the text or who sent it', async () => {
      await start();
      const command = { text: `contact +44${ANA_DIGITS}`, user_id: 'U0REPLAY', response_url: slack.responseUrl('looked-up') };
      const at = { timestampSec: nowSec() };
      expect((await postSlashCommand(t.baseUrl, SIGNING_SECRET, command, at)).status).toBe(200);
      await slack.waitForResponse((p) => p.id === 'looked-up');

      const replay = await postSlashCommand(t.baseUrl, SIGNING_SECRET, command, at);
      expect(replay).toEqual({ status: 401, body: '' });
      // A fresh request after it is answered: the replay, had it been taken, would have been answered first.
      await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: slack.responseUrl('after') });
      await slack.waitForResponse((p) => p.id === 'after');
      expect(slack.responses.filter((r) => r.id === 'looked-up')).toHaveLength(1);

      const lines = t.logs.filter((l) => l.msg === REFUSED);
      expect(lines).toEqual([expect.objectContaining({ level: 40, kind: 'command', command: '/wa', team: 'T0TEAM', requestAgeSec: expect.any(Number) })]);
      expect(JSON.stringify(lines)).not.toMatch(new RegExp(`${ANA_DIGITS}|U0REPLAY`));
    });

    it('when a Reply-modal submission is replayed, then the copy gets 401 and the WhatsApp message, its post and its audit entry exist once', async () => {
      await start();
      const at = { timestampSec: nowSec() };
      // One captured request, sent twice: the same bytes, the same signature.
      const captured = replyView('Your refund is on its way');
      expect((await submit(captured, at)).status).toBe(200);
      await eventually(async () => (await audited('reply')).length === 1, 'the reply audited');

      expect((await submit(captured, at)).status).toBe(401);
      await settle();
      expect(sentTexts()).toEqual(['Your refund is on its way']);
      expect(threadPosts(t).filter((p) => /replied on WhatsApp/.test(String(p.args.text)))).toHaveLength(1);
      expect(await audited('reply')).toHaveLength(1);
      expect(t.logs.filter((l) => l.msg === REFUSED)).toEqual([expect.objectContaining({ kind: 'view_submission', callbackId: 'conv_reply_modal' })]);
    });

    it('when the copy reaches another instance on the same database, then that one refuses it too', async () => {
      const dbName = uniqueDbName('replay');
      await start({ dbName });
      const other = await startTestApp({}, { slack, dbName, keepDb: true });
      others.push(other);
      const command = { text: 'help', response_url: slack.responseUrl('once') };
      const at = { timestampSec: nowSec() };
      expect((await postSlashCommand(t.baseUrl, SIGNING_SECRET, command, at)).status).toBe(200);
      await slack.waitForResponse((p) => p.id === 'once');
      expect((await postSlashCommand(other.baseUrl, SIGNING_SECRET, command, at)).status).toBe(401);
      expect(other.logs.filter((l) => l.msg === REFUSED)).toHaveLength(1);
      // The other instance answers requests of its own.
      await postSlashCommand(other.baseUrl, SIGNING_SECRET, { text: 'help', response_url: slack.responseUrl('other') });
      await slack.waitForResponse((p) => p.id === 'other');
      expect(slack.responses.filter((r) => r.id === 'once')).toHaveLength(1);
    });

    it('when Slack retries an event (x-slack-retry-num, even within the same second), then each retry is accepted and the reply still goes once; a copy of a retry is refused', async () => {
      await start();
      const envelope = messageEventEnvelope({ text: 'Refund approved', channel: thread.channel, threadTs: thread.threadTs, ts: '1800000900.000001' });
      const at = nowSec();
      const retry = (n: number, timestampSec: number) => ({ timestampSec, headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_error' } });
      expect((await postEvent(t.baseUrl, SIGNING_SECRET, envelope, { timestampSec: at })).status).toBe(200);
      expect((await postEvent(t.baseUrl, SIGNING_SECRET, envelope, retry(1, at))).status).toBe(200);
      expect((await postEvent(t.baseUrl, SIGNING_SECRET, envelope, retry(2, at + 1))).status).toBe(200);
      expect((await postEvent(t.baseUrl, SIGNING_SECRET, envelope, retry(2, at + 1))).status).toBe(401);
      await eventually(() => t.logs.filter((l) => l.msg === 'reply already taken in (a repeated event)').length === 2, 'the retries noticed as repeats');
      await settle();
      expect(sentTexts()).toEqual(['Refund approved']);
    });

    it('when the store cannot say whether a request was seen, then the request is taken (its effects need the store anyway) and a warning is logged', async () => {
      const outage = hold('seenRequests.firstSight');
      outage.fail();
      await start({ wrapRepositories: outage.wrap });
      expect((await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: slack.responseUrl('down') })).status).toBe(200);
      await slack.waitForResponse((p) => p.id === 'down');
      expect(t.logs).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/could not check.*replay/), kind: 'command' }));
    });

    it('when the store hangs, then the request is still taken well within the 3 s Slack waits', async () => {
      const stuck = hold('seenRequests.firstSight');
      await start({ wrapRepositories: stuck.wrap });
      stuck.arm(); // never opened: the check never answers
      const started = Date.now();
      expect((await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'help', response_url: slack.responseUrl('slow') })).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
      await slack.waitForResponse((p) => p.id === 'slow');
      expect(t.logs).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/could not check.*replay/), err: expect.objectContaining({ message: expect.stringMatching(/no answer from the store/) }) }));
    });
  });

  describe('a modal submitted twice (new signatures, the same view)', () => {
    it('when the Reply modal\'s second submission arrives while the first is still being taken in, then WhatsApp gets the message once', async () => {
      const held = hold('intakes.record');
      await start({ wrapRepositories: held.wrap });
      held.arm();
      const first = await submit(replyView('Shipped this morning'), { timestampSec: nowSec() - 1 });
      expect(first.status).toBe(200);
      await held.reached;
      const second = await submit(replyView('Shipped this morning'), { timestampSec: nowSec() });
      expect(second).toEqual({ status: 200, body: '' });
      held.open();
      await eventually(async () => (await audited('reply')).length > 0, 'the reply audited');
      await settle();
      expect(sentTexts()).toEqual(['Shipped this morning']);
      expect(threadPosts(t).filter((p) => /replied on WhatsApp/.test(String(p.args.text)))).toHaveLength(1);
      expect(await audited('reply')).toHaveLength(1);
      expect(t.logs).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/submitted again/), callbackId: 'conv_reply_modal' }));
    });

    it('when the quick-reply modal is submitted twice at once, then the quick reply is sent, counted and audited once', async () => {
      const held = hold('intakes.record');
      await start({ wrapRepositories: held.wrap });
      await t.app.deps.repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks {{first_name}}!', author: 'U0LEAD01' });
      held.arm();
      const payload = viewSubmissionPayload({ callbackId: 'card_quick_reply_modal', privateMetadata: JSON.stringify({ waId: ANA }), values: { qr: { pick: { type: 'static_select', selected_option: { value: 'thanks' } } } } });
      await submit(payload, { timestampSec: nowSec() - 1 });
      await held.reached;
      await submit(payload, { timestampSec: nowSec() });
      held.open();
      await eventually(async () => (await audited('quick_reply')).length > 0, 'the quick reply audited');
      await settle();
      expect(sentTexts()).toEqual(['Thanks Ana!']);
      expect((await t.app.deps.repos.quickReplies.findByShortcut('thanks'))!.usageCount).toBe(1);
      expect(await audited('quick_reply')).toHaveLength(1);
    });

    it('when the opt-out confirmation modal is submitted twice at once, then the contact is opted out, told and audited once, and the agent gets no "already opted out"', async () => {
      const held = hold('contacts.changeConsent');
      await start({ wrapRepositories: held.wrap });
      held.arm();
      const payload = viewSubmissionPayload({ callbackId: 'shortcut_opt_out_modal', privateMetadata: JSON.stringify({ waId: ANA, channel: thread.channel, threadTs: thread.threadTs }), values: {} });
      await submit(payload, { timestampSec: nowSec() - 1 });
      await held.reached;
      await submit(payload, { timestampSec: nowSec() });
      await eventually(() => t.logs.some((l) => /submitted again/.test(String(l.msg))), 'the second submission stopped');
      held.open();
      await slack.waitFor('chat.postMessage', (c) => /Opted out\* by <@U0AGENT>/.test(String(c.args.text)));
      await settle();
      expect(sentTexts()).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
      expect(await t.app.deps.repos.consentLedger.listForContact(ANA)).toHaveLength(1);
      expect(await audited('opt_out')).toHaveLength(1);
      expect(slack.callsTo('chat.postEphemeral').filter((c) => /already opted out/.test(String(c.args.text)))).toHaveLength(0);
    });

    it('when a submission is refused with field errors, then the same view can be submitted again and takes effect', async () => {
      await start();
      const refused = await submit(replyView('   '), { timestampSec: nowSec() - 1 });
      expect(JSON.parse(refused.body)).toMatchObject({ response_action: 'errors', errors: { text: 'Write the reply.' } });
      expect((await submit(replyView('Now with text'), { timestampSec: nowSec() })).status).toBe(200);
      await eventually(() => t.gateway.sent.length > 0, 'the reply sent');
      await settle();
      expect(sentTexts()).toEqual(['Now with text']);
    });

    it('when the intake is given the same view twice at once, then it takes the reply in once', async () => {
      await start();
      const contact = await t.app.deps.repos.contacts.findByWaId(ANA);
      const reply = { contact: { ...contact!, slack: contact!.slack! }, user: 'U0AGENT', text: 'Once only', shown: 'Once only', viewId: 'V0INTAKE' };
      await Promise.all([t.app.replyIntake.takeModal(reply), t.app.replyIntake.takeModal(reply)]);
      await settle();
      expect(sentTexts()).toEqual(['Once only']);
      expect(await t.app.deps.repos.intakes.findByKey('modal:view:V0INTAKE')).toMatchObject({ state: 'done', outcome: 'queued' });
    });
  });
});
