import { startTestApp, type TestApp } from '../../support/app-harness';
import { manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';
const photo = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
const media = (overrides: { size?: number; fetch?: () => Promise<Buffer>; filename?: string } = {}) => ({
  from: ANA,
  content: { kind: 'media' as const, mimetype: 'image/jpeg', filename: overrides.filename ?? 'photo.jpg', size: overrides.size ?? photo.length, caption: 'the <broken> part', fetch: overrides.fetch ?? (async () => photo) },
});

/** Photos, voice notes and documents from WhatsApp land in the thread as files. */
describe('inbound media', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({ MEDIA_MAX_MB: '1' }, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hi' } }); // the thread exists
  });
  afterEach(async () => {
    await t.stop();
  });

  const completions = () => slack.callsTo('files.completeUploadExternal');

  it('when a contact sends a photo, then the file is uploaded into the thread and the caption follows, escaped', async () => {
    await receiveAndMirror(t, media());
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const [done] = completions();
    expect(done!.args).toMatchObject({ channel_id: thread.channel, thread_ts: thread.threadTs });
    const fileId = (done!.args.files as Array<{ id: string }>)[0]!.id;
    expect(slack.uploads.get(fileId)).toEqual(photo);
    expect(threadPosts(t).at(-1)!.args.text).toBe(':paperclip: photo.jpg (3 KB)\nthe &lt;broken&gt; part');
    // The bytes were only held until posted.
    expect(await t.app.deps.repos.messages.countByState('inbound')).toEqual({ sent: 2 });
    const stored = await t.app.deps.repos.messages.findBySlackMessage(thread.channel, String(threadPosts(t).at(-1)!.result!.ts));
    expect(stored!.media).toMatchObject({ uploaded: true });
    expect(stored!.media!.storedId).toBeUndefined();
  });

  it('when a file is over the size limit, then no upload happens and the thread says how big it was', async () => {
    let fetched = false;
    await receiveAndMirror(t, media({ size: 3 * 1024 * 1024, filename: 'video.mp4', fetch: async () => ((fetched = true), photo) }));
    expect(fetched).toBe(false);
    expect(completions()).toHaveLength(0);
    expect(threadPosts(t).at(-1)!.args.text).toMatch(/^:paperclip: video\.mp4 \(3\.0 MB\) — larger than the 1\.0 MB limit \(3\.0 MB\); open it on the phone/);
  });

  it('when WhatsApp cannot hand over the file, then the message still arrives, saying so', async () => {
    await receiveAndMirror(t, media({ fetch: async () => Promise.reject(new Error('media expired')) }));
    expect(completions()).toHaveLength(0);
    expect(String(threadPosts(t).at(-1)!.args.text)).toContain('WhatsApp did not hand over the file');
  });

  it('when the post after a successful upload fails, then the retry posts the text without uploading the file again', async () => {
    slack.respond('chat.postMessage', { status: 500, body: { ok: false, error: 'internal_error' } });
    await receiveAndMirror(t, media());
    expect(completions()).toHaveLength(1);
    time.advance(60_000);
    await t.app.bridge.toSlack.runDue();
    expect(completions()).toHaveLength(1);
    expect(threadPosts(t).at(-1)!.args.text).toMatch(/^:paperclip: photo\.jpg/);
  });
});
