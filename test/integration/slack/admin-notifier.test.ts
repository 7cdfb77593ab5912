import { startTestApp, type TestApp } from '../../support/app-harness';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ADMIN = 'C0ADMIN01';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The admin channel: one status message edited in place, and the login QR while one is waiting. */
describe('admin channel status and login QR', () => {
  const slack = useFakeSlackApi();

  async function start(dbName = uniqueDbName('admin'), keepDb = false, printQr?: (text: string) => void): Promise<TestApp> {
    const t = await startTestApp({ SLACK_ADMIN_CHANNEL: ADMIN }, { slack, dbName, keepDb, ...(printQr ? { printQr } : {}) });
    await t.app.adminNotifier!.idle();
    return t;
  }

  const qrShown = async (t: TestApp, qr: string) => {
    t.gateway.setState('qr');
    t.gateway.emit({ type: 'qr', qr });
    await t.app.adminNotifier!.idle();
  };
  const uploadedFileIds = () => slack.callsTo('files.completeUploadExternal').map((c) => (c.args.files as Array<{ id: string }>)[0]!.id);

  it('when a QR appears, rotates and is scanned, then it is posted, replaced, then removed — and the status message is edited in place', async () => {
    const lines: string[] = [];
    const t = await start(undefined, false, (text) => lines.push(text));
    try {
      // Start-up posts the state as it is; everything after edits that one message.
      expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual([ADMIN]);

      await qrShown(t, 'QR-ONE');
      const [first] = uploadedFileIds();
      expect(slack.callsTo('files.completeUploadExternal')[0]!.args.channel_id).toBe(ADMIN);
      expect(slack.uploads.get(first!)!.subarray(0, 8)).toEqual(PNG_MAGIC);
      expect(String(slack.callsTo('chat.update').at(-1)!.args.text)).toMatch(/qr since .*login QR is posted below/s);

      await qrShown(t, 'QR-TWO');
      const second = uploadedFileIds()[1];
      expect(second).toBeDefined();
      expect(slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([first]);

      t.gateway.setState('authenticated');
      t.gateway.setState('connected');
      await t.app.adminNotifier!.idle();
      expect(slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([first, second]);
      expect(String(slack.callsTo('chat.update').at(-1)!.args.text)).toMatch(/connected since/);
      // Everything after the first post was an edit of that same message.
      const ts = slack.callsTo('chat.update').map((c) => c.args.ts);
      expect(new Set(ts).size).toBe(1);
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
      // The terminal got each QR drawn as well.
      await new Promise((r) => setImmediate(r));
      expect(lines.filter((l) => l.includes('Linked devices'))).toHaveLength(2);
    } finally {
      await t.stop();
    }
  });

  it('when the state flaps fifty times at once, then Slack sees one edit with the latest state, not fifty', async () => {
    const t = await start();
    try {
      const before = slack.calls.length;
      for (let i = 0; i < 25; i++) {
        t.gateway.setState('disconnected', `flap ${i}`);
        t.gateway.setState('connected');
      }
      t.gateway.setState('unreachable', 'last <one>');
      await t.app.adminNotifier!.idle();
      const updates = slack.calls.slice(before).filter((c) => c.method === 'chat.update');
      expect(updates.length).toBeLessThanOrEqual(2);
      expect(String(updates.at(-1)!.args.text)).toContain('unreachable since');
      expect(String(updates.at(-1)!.args.text)).toContain('last &lt;one&gt;');
    } finally {
      await t.stop();
    }
  });

  it('when the app restarts, then it edits the same status message; if that message was deleted, it posts one new one', async () => {
    const dbName = uniqueDbName('admin-restart');
    const first = await start(dbName, true);
    const posted = slack.callsTo('chat.postMessage');
    expect(posted).toHaveLength(1);
    await first.stop();
    slack.reset();

    const second = await start(dbName, true);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    await second.stop();
    slack.reset();

    slack.respond('chat.update', { ok: false, error: 'message_not_found' });
    const third = await start(dbName);
    try {
      expect(slack.callsTo('chat.update')).toHaveLength(1);
      expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
      third.gateway.setState('disconnected', 'phone offline');
      await third.app.adminNotifier!.idle();
      const newTs = (slack.callsTo('chat.update').at(-1)!.args.ts as string) ?? '';
      expect(newTs).not.toBe(slack.callsTo('chat.update')[0]!.args.ts);
    } finally {
      await third.stop();
    }
  });

  it('when Slack fails an update, then the app logs it, keeps running, and the next change gets through', async () => {
    const t = await start();
    try {
      slack.respond('chat.update', { ok: false, error: 'internal_error' }, { status: 500 });
      t.gateway.setState('disconnected', 'first');
      await t.app.adminNotifier!.idle();
      expect(t.logs.some((l) => l.component === 'admin-notifier' && l.msg === 'could not update the admin channel')).toBe(true);
      t.gateway.setState('connected');
      await t.app.adminNotifier!.idle();
      expect(String(slack.callsTo('chat.update').at(-1)!.args.text)).toContain('connected since');
    } finally {
      await t.stop();
    }
  });
});
