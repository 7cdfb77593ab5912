import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageDeletedEnvelope, messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
const pdf = Buffer.from('%PDF-1.4 invoice');
let seq = 0;

/** Files an agent attaches in the thread go to WhatsApp as media. */
describe('outbound media', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let thread: { channel: string; threadTs: string };
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({ MEDIA_MAX_MB: '1' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'can I get the invoice?' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  async function share(text: string, files: object[], extra: { retry?: boolean; ts?: string } = {}) {
    const ts = extra.ts ?? `1800000300.${String(++seq).padStart(6, '0')}`;
    const envelope = messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts, subtype: 'file_share', files });
    await postEvent(t.baseUrl, SIGNING_SECRET, envelope, extra.retry ? { headers: { 'x-slack-retry-num': '1' } } : {});
    return ts;
  }

  it('when an agent attaches two files with a comment, then WhatsApp gets both, the comment as the first caption, each once', async () => {
    const files = [slack.hostFile(pdf, 'invoice.pdf', 'application/pdf'), slack.hostFile(Buffer.from('png!'), 'label.png', 'image/png')];
    const ts = await share('Here you go', files);
    await share('Here you go', files, { ts, retry: true });
    await eventually(() => t.gateway.sent.length === 2, 'both files sent');
    expect(t.gateway.sent.map((s) => [s.kind, s.media!.filename, s.media!.mimetype, s.media!.caption])).toEqual([
      ['media', 'invoice.pdf', 'application/pdf', 'Here you go'],
      ['media', 'label.png', 'image/png', undefined],
    ]);
    expect(t.gateway.sent[0]!.media!.data).toEqual(pdf);
    expect(slack.downloads.map((d) => d.authorization)).toEqual(['Bearer xoxb-test-token', 'Bearer xoxb-test-token']);
  });

  it('when a file is too large or its link is not Slack\'s, then it is not sent and the agent is told which and why', async () => {
    const big = slack.hostFile(Buffer.alloc(2 * 1024 * 1024, 1), 'scan.tiff', 'image/tiff');
    const foreign = { id: 'FEVIL', name: 'evil.bin', mimetype: 'application/octet-stream', size: 10, url_private_download: 'https://attacker.example/steal' };
    await share('', [big, foreign]);
    const note = await slack.waitFor('chat.postEphemeral');
    expect(String(note.args.text)).toContain('*scan.tiff*: larger than the 1.0 MB limit (2.0 MB)');
    expect(String(note.args.text)).toContain("*evil.bin*: Slack gave no download link from its own servers");
    expect(slack.downloads).toHaveLength(0); // the token never left for a foreign host, and the big file was not fetched
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0);
  });

  it('when a reply with files is deleted before it was sent, then none of its parts are sent', async () => {
    t.gateway.setState('disconnected');
    const files = [slack.hostFile(pdf, 'a.pdf', 'application/pdf'), slack.hostFile(pdf, 'b.pdf', 'application/pdf')];
    const ts = await share('two files', files);
    await eventually(async () => Object.values(await t.app.deps.repos.messages.countByState('outbound')).reduce((a, b) => a + (b ?? 0), 0) === 2, 'queued');
    await postEvent(t.baseUrl, SIGNING_SECRET, messageDeletedEnvelope({ channel: thread.channel, threadTs: thread.threadTs, ts }));
    await slack.waitFor('chat.postEphemeral', (c) => /withdrawn/.test(String(c.args.text)));
    await t.app.bridge.toWhatsApp.settled(); // an attempt that was under way when the delete came has ended
    t.gateway.setState('connected');
    time.advance(60_000);
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(0);
  });
});
