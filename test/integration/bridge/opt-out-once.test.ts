import { recordOptOut, settleOwedOptOuts, type OptOutDeps } from '../../../src/consent/record-opt-out';
import type { Consent, ContactRepository } from '../../../src/domain/contact';
import type { Repositories } from '../../../src/store/repositories';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload } from '../../support/slack/payloads';
import { postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const ANA_LID = '123456789012345@lid';
const CONFIRMATION = 'You are unsubscribed. Reply START to subscribe again.';

type Around = (write: () => Promise<unknown>, consent: Consent) => Promise<unknown>;

/**
 * The contact repository, with every call that opts someone out (one whose arguments carry an
 * opted-out consent, whatever the method is called) run through `hook.around` when it is set: the
 * test's hold on the moment right before or right after the opt-out's write.
 */
function withOptOutHook(contacts: ContactRepository, hook: { around?: Around }): ContactRepository {
  return new Proxy(contacts, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const write = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const consent = args.find((a): a is Consent => typeof a === 'object' && a !== null && (a as Consent).status === 'opted_out');
        return consent && hook.around ? hook.around(write, consent) : write();
      };
    },
  });
}

/** The process "dies" right after the first opt-out write reached the store. */
function dieOnceAfterTheWrite(): Around {
  let died = false;
  return async (write) => {
    const result = await write();
    if (died) return result;
    died = true;
    throw new Error('connection lost right after the write');
  };
}

async function confirmationsQueued(repos: Repositories, waId: string) {
  return (await repos.messages.unfinished('outbound', waId, 20)).filter((m) => m.purpose === 'opt_out_confirmation');
}
async function optOutEntries(repos: Repositories, waId: string) {
  return (await repos.consentLedger.listForContact(waId)).filter((e) => e.type === 'opt_out');
}

/** The opt-out as one conditional write, over a real MongoDB wire connection. */
describe('an opt-out, recorded once', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-25T10:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'messages', 'consent_events']);
  const hook: { around?: Around } = {};
  const deps = (): OptOutDeps & { clock: () => Date } => ({ contacts: withOptOutHook(repos.contacts, hook), ledger: repos.consentLedger, messages: repos.messages, confirmation: CONFIRMATION, clock: time.clock });
  const keyword = () => ({ source: 'whatsapp:keyword', actor: 'contact', evidence: 'STOP', statusSource: 'keyword:STOP', at: time.clock() });
  const button = () => ({ source: 'slack:button', actor: 'U0AGENT', evidence: 'Opt out button on the contact card', statusSource: 'slack:card', at: time.clock() });
  afterEach(() => delete hook.around);

  async function optedIn(waId = ANA, alias?: string) {
    await repos.contacts.recordInbound({ waId, at: time.clock(), ...(alias ? { alias } : {}) });
    await repos.contacts.setConsent(waId, { status: 'opted_in', since: time.clock(), source: 'reply:YES' });
    return (await repos.contacts.findByWaId(waId))!;
  }

  it('when two opt-outs of one contact run at the same time, then exactly one changes it: one ledger entry, one confirmation queued', async () => {
    const contact = await optedIn();
    const done = await Promise.all([recordOptOut(deps(), contact, keyword()), recordOptOut(deps(), contact, button())]);
    expect(done.filter(Boolean)).toHaveLength(1);
    expect(await confirmationsQueued(repos, ANA)).toHaveLength(1);
    expect(await optOutEntries(repos, ANA)).toHaveLength(1);
    expect((await repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
  });

  it('when the process dies right after the contact was opted out, then a retried STOP queues the confirmation once and writes the ledger entry once', async () => {
    const contact = await optedIn();
    hook.around = dieOnceAfterTheWrite();
    const at = time.clock();
    await expect(recordOptOut(deps(), contact, keyword())).rejects.toThrow('connection lost');
    time.advance(1_000);
    // The retry reads the contact again, as the inbound path does: opted out already.
    expect(await recordOptOut(deps(), (await repos.contacts.findByWaId(ANA))!, keyword())).toBe(false);
    expect(await recordOptOut(deps(), (await repos.contacts.findByWaId(ANA))!, keyword())).toBe(false);
    expect(await confirmationsQueued(repos, ANA)).toHaveLength(1);
    expect(await optOutEntries(repos, ANA)).toEqual([expect.objectContaining({ source: 'whatsapp:keyword', actor: 'contact', evidence: 'STOP', at })]);
  });

  it('when the process dies right after the contact was opted out and nobody opts out again, then the sweep finishes it, once, keeping who did it', async () => {
    const contact = await optedIn();
    hook.around = dieOnceAfterTheWrite();
    const at = time.clock();
    await expect(recordOptOut(deps(), contact, button())).rejects.toThrow('connection lost');
    expect(await settleOwedOptOuts(deps())).toBe(0); // owed for less than a minute: its writer may still be at it
    time.advance(61_000);
    expect(await settleOwedOptOuts(deps())).toBe(1);
    expect(await settleOwedOptOuts(deps())).toBe(0);
    expect(await confirmationsQueued(repos, ANA)).toEqual([expect.objectContaining({ body: CONFIRMATION, createdAt: at })]);
    expect(await optOutEntries(repos, ANA)).toEqual([expect.objectContaining({ source: 'slack:button', actor: 'U0AGENT', at })]);
    expect((await repos.contacts.findByWaId(ANA))!.owedOptOut).toBeUndefined();
  });

  it('when a person known under two ids is opted out twice at once, then the other id follows with its own ledger entry and no confirmation', async () => {
    await optedIn(ANA_LID);
    const contact = await optedIn(ANA, ANA_LID);
    await Promise.all([recordOptOut(deps(), contact, keyword()), recordOptOut(deps(), contact, button())]);
    expect((await repos.contacts.findByWaId(ANA_LID))!.consent).toMatchObject({ status: 'opted_out', source: `alias:${ANA}` });
    expect(await optOutEntries(repos, ANA_LID)).toHaveLength(1);
    expect(await confirmationsQueued(repos, ANA_LID)).toEqual([]);
    expect(await confirmationsQueued(repos, ANA)).toHaveLength(1);
  });
});

/** The same races through the real app: WhatsApp, the Slack card and the outbox. */
describe('an opt-out through the app, confirmed once', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  let hook: { around?: Around };
  beforeEach(async () => {
    time = manualClock();
    hook = {};
    t = await startTestApp({}, { slack, clock: time.clock, wrapRepositories: (repos) => ({ ...repos, contacts: withOptOutHook(repos.contacts, hook) }) });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello' } });
  });
  afterEach(async () => {
    await t.stop();
  });

  const stop = () => receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
  const pressOptOut = async () => {
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'card_opt_out', value: ANA, channelId: thread.channel, messageTs: thread.threadTs }));
  };
  const confirmationsSent = () => t.gateway.sent.filter((s) => s.text === t.app.deps.config.bridge.optOutConfirmation);

  it("when a STOP and the card's Opt out button land at the same time, then the contact is sent one confirmation and the ledger has one entry", async () => {
    // The button has read the contact (not opted out yet); its write comes after the STOP's.
    let buttonWriting!: () => void;
    const buttonReady = new Promise<void>((resolve) => (buttonWriting = resolve));
    let stopDone!: () => void;
    const stopHandled = new Promise<void>((resolve) => (stopDone = resolve));
    hook.around = async (write, consent) => {
      if (consent.source === 'slack:card') {
        buttonWriting();
        await stopHandled;
      }
      return write();
    };
    await pressOptOut();
    await buttonReady;
    await stop();
    stopDone();
    const answered = () => slack.callsTo('chat.postEphemeral').length + slack.callsTo('chat.postMessage').filter((c) => /Opted out\* by/.test(String(c.args.text))).length;
    await eventually(() => answered() > 0, 'the button answered');
    await t.app.bridge.toWhatsApp.runDue();
    expect(confirmationsSent()).toHaveLength(1);
    expect(await optOutEntries(t.app.deps.repos, ANA)).toEqual([expect.objectContaining({ source: 'whatsapp:keyword' })]);
    await slack.waitFor('chat.postEphemeral', (c) => /already opted out/.test(String(c.args.text)));
  });

  it('when the store fails right after a STOP was written, then the contact\'s next STOP finishes it: one confirmation, one ledger entry', async () => {
    hook.around = dieOnceAfterTheWrite();
    await stop();
    expect((await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status).toBe('opted_out');
    time.advance(5_000);
    await stop();
    await t.app.bridge.toWhatsApp.runDue();
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(confirmationsSent()).toHaveLength(1);
    expect(await optOutEntries(t.app.deps.repos, ANA)).toHaveLength(1);
  });
});
