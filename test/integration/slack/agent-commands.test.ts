import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
let n = 0;

/** `/wa contact`, `label`, `labels`, `optout`, `consent` over signed slash commands. */
describe('agent commands', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello' } });
    await receiveAndMirror(t, { from: '5511987654321@c.us', pushName: 'Ana Souza', content: { kind: 'text', text: 'oi' } });
    await t.app.deps.repos.labels.create({ name: 'vip' });
    await t.app.deps.repos.labels.create({ name: 'billing' });
  });
  afterEach(async () => {
    await t.stop();
  });

  /** Runs `/wa <text>` and returns the (ephemeral) answer's text. */
  async function wa(text: string): Promise<string> {
    const id = `r${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, response_url: slack.responseUrl(id) });
    const answer = await slack.waitForResponse((p) => p.id === id);
    expect(answer.body.response_type).toBe('ephemeral');
    return String(answer.body.text);
  }

  it('when an agent looks a contact up by number in any format, or by name, then they get the card with a link to the thread', async () => {
    for (const typed of ['+44 7911 123456', '+447911123456', '(+44) 7911-123-456']) {
      const card = await wa(`contact ${typed}`);
      expect(card).toContain('*Ana Lima* · +447911123456');
      expect(card).toMatch(/\*Conversation:\* <https:\/\/test\.slack\.com\/archives\/C0INBOX01\/p\d+\|open the thread>/);
    }
    expect(await wa('contact ana l')).toContain('*Ana Lima*');
    expect(await wa('contact ana')).toMatch(/Several contacts match `ana`: Ana Lima \(\+447911123456\), Ana Souza \(\+5511987654321\)/);
  });

  it('when the argument is hostile or wrong, then the answer says exactly what is wrong, with the usage, and nothing changes', async () => {
    expect(await wa('contact +44 20 7946')).toMatch(/`\+44 20 7946` is not a valid phone number — try the international form, e\.g\. \+44 20 7946 0000\nUsage: `\/wa contact &lt;phone\|name&gt;`/);
    expect(await wa('contact {"$gt":""}')).toMatch(/No contact's name starts with `\{"\$gt":""\}`/);
    expect(await wa('contact Ana.*')).toMatch(/No contact's name starts with `Ana\.\*`/);
    expect(await wa(`contact ${'x'.repeat(10_000)}`)).toMatch(/too long for a name/);
    expect(await wa('contact مرحبا 👋')).toMatch(/No contact's name starts with/);
    expect(await wa('label add +447911123456 {"$where":"1"}')).toMatch(/No such label: `\{"\$where":"1"\}`/);
    expect(await wa('optout')).toMatch(/Say whose opt-out to record/);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!).toMatchObject({ labels: [], consent: { status: 'unknown' } });
  });

  it('when an agent adds and removes labels, then the contact has them and /wa labels counts them', async () => {
    expect(await wa('label add +44 7911 123456 VIP billing')).toBe('Ana Lima now has: `vip` `billing`');
    expect(await wa('labels')).toBe('*Labels*\n• `billing` — 1 contact\n• `vip` — 1 contact');
    expect(await wa('label remove +447911123456 vip')).toBe('Ana Lima now has: `billing`');
    expect((await t.app.deps.repos.audit.recent(5)).map((a) => a.action)).toEqual(['label_remove', 'label_add']);
  });

  it('when an agent records an opt-out, then the ledger names them and the reason, the contact gets one confirmation, and /wa consent shows it', async () => {
    expect(await wa('optout +44 7911 123456 asked by phone to stop')).toMatch(/Ana Lima is opted out/);
    const [entry] = await t.app.deps.repos.consentLedger.listForContact(ANA);
    expect(entry).toMatchObject({ type: 'opt_out', source: 'slack:command', actor: 'U0AGENT', evidence: 'asked by phone to stop' });
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    expect(await wa('optout +447911123456')).toMatch(/already opted out/);
    const ledger = await wa('consent +447911123456');
    expect(ledger).toMatch(/^\*Consent ledger for Ana Lima\* — now opted_out\n• <!date\^\d+\^.*> \*opt_out\* via `slack:command` by <@U0AGENT> — “asked by phone to stop”$/);
  });

  it('when an agent asks for an opt-in, then the request goes out with the consent wording and only the YES makes it consent; never to someone who opted out', async () => {
    expect(await wa('optin +447911123456')).toMatch(/Opt-in request sent to Ana Lima: “Reply YES to receive messages from us again\. You can reply STOP at any time\.”/);
    expect(await wa('optin +447911123456')).toMatch(/already has an opt-in request waiting/);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optInRequest]);
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('pending');
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'YES' } });
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_in');

    await receiveAndMirror(t, { from: '5511987654321@c.us', pushName: 'Ana Souza', content: { kind: 'text', text: 'PARAR' } });
    expect(await wa('optin +55 11 98765 4321')).toMatch(/Ana Souza opted out on 2026-11-25 via keyword:PARAR; only they can opt in again/);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.filter((s) => s.chatId === '5511987654321@c.us').map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
  });

  it('when PHONE_DEFAULT_COUNTRY is set, then national formats work too', async () => {
    await t.stop();
    t = await startTestApp({ PHONE_DEFAULT_COUNTRY: 'gb' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello' } });
    for (const typed of ['07911 123456', '07911-123-456', '+44 7911 123456', '0044 7911 123456']) {
      expect(await wa(`contact ${typed}`)).toContain('*Ana Lima* · +447911123456');
    }
  });
});
