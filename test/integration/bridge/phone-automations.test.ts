import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';

/**
 * The WhatsApp Business App's own greeting and away messages, where the gateway can tell them
 * (the simulator does; WhatsApp Web does not mark them): shown in the thread as the phone's
 * automatic reply, and never an answer. Real app, store and Slack API; the fake gateway.
 */
describe('automatic replies the phone sends itself', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let time: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    time = manualClock();
    t = await startTestApp({}, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  const fromPhone = async (text: string, automated: boolean) => {
    const sent = t.gateway.sendFromPhone(ANA, { content: { kind: 'text', text }, ...(automated ? { automated: true as const } : {}) });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    return sent;
  };

  it('when the phone sends its away message, then the thread shows it as the phone’s automatic reply, and the conversation keeps waiting (no first response)', async () => {
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'Is my order late?' } });
    const asked = time.clock();
    time.advance(5_000);
    const away = await fromPhone('We are closed, back Monday 9:00', true);

    const post = threadPosts(t).at(-1)!;
    expect(String(post.args.text)).toContain('auto-reply (phone)');
    expect(String(post.args.text)).toContain('We are closed, back Monday 9:00');
    const stored = await t.app.deps.repos.messages.findByWaMessageId(away.id);
    expect(stored).toMatchObject({ fromPhone: true, automated: true });

    const conversation = (await t.app.deps.repos.contacts.findByWaId(ANA))!.conversation!;
    expect(conversation.firstResponseAt).toBeUndefined();
    expect(conversation.waitingSince).toEqual(asked);
    expect(conversation.status).not.toBe('pending');
  });

  it('when someone then answers from the phone themselves, then that answer counts as the first response', async () => {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'Is my order late?' } });
    time.advance(5_000);
    await fromPhone('Thanks for your message! We will answer soon.', true);
    time.advance(60_000);
    const answer = await fromPhone('It ships today', false);

    const post = threadPosts(t).at(-1)!;
    expect(post.args).toMatchObject({ text: 'It ships today', username: 'Sent from the phone' });
    expect(String(post.args.text)).not.toContain('auto-reply');
    expect((await t.app.deps.repos.messages.findByWaMessageId(answer.id))!.automated).toBeUndefined();
    const conversation = (await t.app.deps.repos.contacts.findByWaId(ANA))!.conversation!;
    expect(conversation).toMatchObject({ status: 'pending', firstResponseAt: answer.at });
    expect(conversation.waitingSince).toBeUndefined();
  });
});
