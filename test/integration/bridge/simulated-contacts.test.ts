import { startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const PLAYED = '447911123456@c.us';

/**
 * A contact someone played on the simulator page has a number that may be a real person's. When the
 * same database later runs with a real WhatsApp connection, nothing queued for that contact goes out.
 */
describe('simulated contacts behind a real WhatsApp connection', () => {
  const slack = useFakeSlackApi();
  let t: TestApp | undefined;
  const app = () => t!;
  afterEach(async () => {
    await t?.stop();
  });
  it('when a reply is queued for a contact made in the simulator, then it is not sent through WhatsApp, and the thread says why', async () => {
    const dbName = uniqueDbName('simulated');
    // A trial: the contact was played on the simulator page.
    const trial = await startTestApp({ WHATSAPP_GATEWAY: 'simulator' }, { slack, clock: manualClock().clock, dbName, keepDb: true });
    await receiveAndMirror(trial, { from: PLAYED, content: { kind: 'text', text: 'Hi from the simulator' } });
    await trial.stop();
    // The same database, now behind a real WhatsApp connection.
    const time = manualClock();
    t = await startTestApp({}, { slack, clock: time.clock, dbName });
    const contact = (await app().app.deps.repos.contacts.findByWaId(PLAYED))!;
    expect(contact.simulated).toBe(true);
    await app().app.deps.repos.messages.recordOutbound({ contactWaId: PLAYED, body: 'Your order ships today', purpose: 'reply', at: time.clock(), state: 'pending', slack: { channel: contact.slack!.channel, ts: '1800000000.000777' } });
    await app().app.bridge.toWhatsApp.runDue();
    await eventually(async () => (await app().app.deps.repos.messages.countByState('outbound')).failed === 1, 'the reply marked failed');
    expect(app().gateway.sent).toEqual([]);
    const posts = threadPosts(app()).filter((p) => p.args.thread_ts === contact.slack!.threadTs).map((p) => String(p.args.text));
    expect(posts.some((text) => text.includes('played on the simulator'))).toBe(true);
  });
});
