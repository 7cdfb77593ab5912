import type { Document } from 'bson';
import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { testPrivacy } from '../../support/privacy';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent, postSlashCommand } from '../../support/slack/signed-request';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import type { WhatsAppGateway } from '../../../src/whatsapp/gateway';

/** Test contacts whose numbers and names occur nowhere else, so any hit in a log line is a leak. */
const PEOPLE = {
  zephyrine: { waId: '447400654382@c.us', e164: '+447400654382', national: '07400654382', significant: '7400654382', name: 'Zephyrine Quillfeather' },
  bartholomew: { waId: '5511976543829@c.us', e164: '+5511976543829', national: '011976543829', significant: '11976543829', name: 'Bartholomew Oyelaran' },
  ottilie: { waId: '4915237654321@c.us', e164: '+4915237654321', national: '015237654321', significant: '15237654321', name: 'Ottilie Wrzesniewski' },
};
const LEAD = 'U0LEAD01';

/** Every way a person may show up in a log line: the number in each form, the name and its parts. */
function traces(p: (typeof PEOPLE)[keyof typeof PEOPLE]): string[] {
  return [p.waId, p.e164, p.e164.slice(1), p.national, p.significant, p.name, ...p.name.split(' ')];
}

/** The log lines (as JSON text) that carry any trace of any test contact, with what was found. */
function leaks(logs: Document[]): Array<{ found: string; line: string }> {
  const all = Object.values(PEOPLE).flatMap(traces);
  return logs.flatMap((l) => {
    const line = JSON.stringify(l);
    return all.filter((trace) => line.toLowerCase().includes(trace.toLowerCase())).map((found) => ({ found, line }));
  });
}

let seq = 0;
const nextSlackTs = () => `1800000100.${String(++seq).padStart(6, '0')}`;

/** Point 9 of issue 17: an end-to-end run's logs carry pseudonyms, never a contact's number or name. */
describe('log privacy', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let failNextSendNamingTheChat = false;
  let time: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    time = manualClock();
    // A WhatsApp Web error that names the chat, as whatsapp-web.js errors do.
    const wrapGateway = (inner: WhatsAppGateway): WhatsAppGateway =>
      Object.assign(Object.create(inner) as WhatsAppGateway, {
        sendText: async (chatId: string, text: string, options?: Parameters<WhatsAppGateway['sendText']>[2]) => {
          if (failNextSendNamingTheChat) {
            failNextSendNamingTheChat = false;
            throw new Error(`Evaluation failed: no chat ${chatId} (+${chatId.split('@')[0]})`);
          }
          return inner.sendText(chatId, text, options);
        },
      });
    t = await startTestApp({ SLACK_LEADS: LEAD, PHONE_DEFAULT_COUNTRY: 'gb' }, { slack, clock: time.clock, wrapGateway });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function wa(text: string, user = LEAD): Promise<string> {
    const id = `lp${++seq}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  }

  async function agentReplies(waId: string, text: string): Promise<void> {
    const thread = (await t.app.deps.repos.contacts.findByWaId(waId))!.slack!;
    const res = await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts: nextSlackTs() }));
    expect(res.status).toBe(200);
  }

  it('when contacts write, opt out, are answered, refused, looked up, asked to opt in and erased, and Slack and WhatsApp fail, then no log line carries a number or a name', async () => {
    const { zephyrine: zeph, bartholomew: bart, ottilie: otti } = PEOPLE;
    const pseudonym = testPrivacy().pseudonym;

    // They write in; an agent answers Zephyrine.
    await receiveAndMirror(t, { from: zeph.waId, pushName: zeph.name, content: { kind: 'text', text: `Hi, I am ${zeph.name}, call me on ${zeph.national}` } });
    await receiveAndMirror(t, { from: bart.waId, pushName: bart.name, content: { kind: 'text', text: 'hello' } });
    await agentReplies(zeph.waId, `Hello ${zeph.name}, we will call ${zeph.e164}`);
    await eventually(async () => {
      await t.app.bridge.toWhatsApp.runDue();
      return t.gateway.sent.some((s) => s.chatId === zeph.waId);
    }, 'the reply to Zephyrine sent');

    // An agent answers Bartholomew; the send fails with an error naming the chat, and is to be retried.
    failNextSendNamingTheChat = true;
    await agentReplies(bart.waId, 'Let me check that for you');
    await eventually(async () => {
      await t.app.bridge.toWhatsApp.runDue();
      return t.logs.some((l) => l.msg === 'delivery failed; will retry');
    }, 'the failed send logged');

    // He sends STOP meanwhile: the retry is refused by the consent gate at the last moment (its reason names him)…
    await receiveAndMirror(t, { from: bart.waId, pushName: bart.name, content: { kind: 'text', text: 'STOP' } });
    expect((await t.app.deps.repos.contacts.findByWaId(bart.waId))!.consent.status).toBe('opted_out');
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.filter((s) => s.chatId === bart.waId).map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);

    // …and so is the next reply, when it is taken in.
    await agentReplies(bart.waId, 'Are you still there?');
    await eventually(() => t.logs.some((l) => l.msg === 'reply refused by the consent gate'), 'the refusal logged');

    // A Slack post fails for good while Ottilie's first message is mirrored.
    slack.respond('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await receiveAndMirror(t, { from: otti.waId, pushName: otti.name, content: { kind: 'text', text: `I am ${otti.name}` } });
    expect(t.logs.some((l) => l.msg === 'message failed for good')).toBe(true);

    // A lead looks Zephyrine up (by number in two forms, and by name), asks her to opt in, and erases her.
    expect(await wa(`contact ${zeph.e164}`)).toContain(zeph.name);
    expect(await wa(`contact ${zeph.national}`)).toContain(zeph.name);
    expect(await wa('contact Zephyrine')).toContain(zeph.name);
    expect(await wa(`contact ${bart.e164}`)).toContain(bart.name);
    expect(await wa(`optin ${zeph.e164}`)).toMatch(/Opt-in request sent/);
    expect(await wa(`optin ${bart.e164}`)).toMatch(/only they can opt in again/);
    expect(await wa('optin +44 7400 918273')).not.toMatch(/Opt-in request sent/); // a number that never wrote
    expect(await wa(`forget ${zeph.e164}`, 'U0AGENT')).toMatch(/is for team leads/);
    expect(await wa(`forget ${zeph.national}`)).toMatch(/data is erased/);
    await t.app.bridge.toWhatsApp.runDue();

    // Not vacuous: the lines are there, and carry the pseudonym where they name a contact.
    expect(t.logs.length).toBeGreaterThan(50);
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'delivery failed; will retry', contact: pseudonym(bart.waId) }));
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'message failed for good', contact: pseudonym(bart.waId) }));
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'reply refused by the consent gate', contact: pseudonym(bart.waId) }));
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'message failed for good', contact: pseudonym(otti.waId) }));
    expect(leaks(t.logs)).toEqual([]);
  });
});
