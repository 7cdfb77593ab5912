import { eventually } from '../../support/bridge-helpers';
import { startSimulatorApp, type SimulatorApp } from '../../support/simulator-app';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = { name: 'Ana Lima', number: '+44 7911 123456' };
const ANA_WA = '447911123456@c.us';

async function post(t: SimulatorApp, path: string, body: unknown) {
  const res = await fetch(`${t.baseUrl}/simulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The simulator plays the business's own phone too, including the Business App's greeting and away messages. */
describe('the simulator: messages the business phone sends itself', () => {
  const slack = useFakeSlackApi();
  let t: SimulatorApp | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('when the page sends the phone’s away message, then the thread shows it as the phone’s automatic reply and Ana’s conversation still waits; a message typed on the phone then answers her', async () => {
    t = await startSimulatorApp(slack);
    const app = t;
    await post(app, 'contacts', ANA);
    expect((await post(app, 'messages', { waId: ANA_WA, text: 'Is my order late?' })).status).toBe(200);
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))?.slack !== undefined, 'a thread for Ana');
    const thread = (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!.slack!;
    const inThread = (text: string) => slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === thread.threadTs && String(c.args.text).includes(text));

    const away = await post(app, 'phone-messages', { waId: ANA_WA, text: 'We are closed, back Monday 9:00', automated: true });
    expect(away).toEqual({ status: 200, body: { ok: true, message: expect.objectContaining({ from: 'business', text: 'We are closed, back Monday 9:00', fromPhone: true, automated: true }) } });
    await eventually(() => inThread('We are closed') !== undefined, 'the away message in the thread');
    expect(String(inThread('We are closed')!.args.text)).toContain('auto-reply (phone)');
    const waiting = (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!.conversation!;
    expect(waiting.firstResponseAt).toBeUndefined();
    expect(waiting.waitingSince).toBeDefined();

    const typed = await post(app, 'phone-messages', { waId: ANA_WA, text: 'It ships today' });
    expect(typed.body.message).not.toHaveProperty('automated');
    await eventually(async () => (await app.app.deps.repos.contacts.findByWaId(ANA_WA))!.conversation!.firstResponseAt !== undefined, 'the typed answer counted');
    await eventually(() => inThread('It ships today') !== undefined, 'the typed answer in the thread');
    expect(String(inThread('It ships today')!.args.text)).not.toContain('auto-reply');
  });

  it('when the phone writes to someone not on the page, or writes nothing, then it is refused with a reason', async () => {
    t = await startSimulatorApp(slack);
    expect(await post(t, 'phone-messages', { waId: ANA_WA, text: 'hello' })).toEqual({ status: 404, body: { error: expect.stringContaining('not a contact') } });
    await post(t, 'contacts', ANA);
    expect(await post(t, 'phone-messages', { waId: ANA_WA, text: '  ' })).toEqual({ status: 400, body: { error: 'text: cannot be empty' } });
  });
});
