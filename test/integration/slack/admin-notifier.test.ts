import { startTestApp, type TestApp } from '../../support/app-harness';
import { uniqueDbName } from '../../support/mongo';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

/** Private: the fake answers `conversations.info` with `is_private: true` for `G…` ids. */
const ADMIN = 'G0ADMIN01';
const PUBLIC = 'C0PUBLIC1';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The admin channel: one status message edited in place, and the login QR while one is waiting. */
describe('admin channel status and login QR', () => {
  const slack = useFakeSlackApi();

  async function start(dbName = uniqueDbName('admin'), keepDb = false, printQr?: (text: string) => void, channel = ADMIN): Promise<TestApp> {
    const t = await startTestApp({ SLACK_ADMIN_CHANNEL: channel }, { slack, dbName, keepDb, ...(printQr ? { printQr } : {}) });
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
      // Only after Slack confirmed the channel is private.
      expect(slack.callsTo('conversations.info').map((c) => c.args.channel)).toContain(ADMIN);
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

  describe('the QR is a credential: only a private channel gets it', () => {
    const SECRET = 'QR-SECRET-PAYLOAD';
    const uploads = () => slack.calls.filter((c) => c.method.startsWith('files.getUploadURL') || c.method === 'files.completeUploadExternal');
    const lastStatus = () => String((slack.callsTo('chat.update').at(-1) ?? slack.callsTo('chat.postMessage').at(-1))!.args.text);

    it('when SLACK_ADMIN_CHANNEL is public, then start-up says so, the QR is never posted, and the channel gets a notice without it', async () => {
      const t = await start(undefined, false, undefined, PUBLIC);
      try {
        expect(slack.callsTo('conversations.info').map((c) => c.args.channel)).toEqual([PUBLIC]);
        const warned = t.logs.filter((l) => l.component === 'admin-notifier' && /SLACK_ADMIN_CHANNEL/.test(String(l.msg)) && /public/.test(String(l.msg)));
        expect(warned).toHaveLength(1);
        expect(String(warned[0]!.msg)).toMatch(/private channel/);
        // The status message, posted at start, already carries the notice.
        expect(String(slack.callsTo('chat.postMessage')[0]!.args.text)).toMatch(/public.*private channel/s);

        await qrShown(t, SECRET);
        await qrShown(t, `${SECRET}-2`);
        expect(uploads()).toEqual([]);
        expect(lastStatus()).toMatch(/login QR is waiting/);
        expect(lastStatus()).toMatch(/not posted here/);
        expect(lastStatus()).toMatch(/private channel/);
        expect(JSON.stringify(slack.calls)).not.toContain(SECRET);
        expect(JSON.stringify(t.logs)).not.toContain(SECRET);
        // One clear line, not one per rotation.
        expect(t.logs.filter((l) => /not posted/.test(String(l.msg)))).toHaveLength(1);
      } finally {
        await t.stop();
      }
    });

    it('when the private admin channel is shared with another organisation (Slack Connect), then the QR is not posted there either', async () => {
      slack.respond('conversations.info', (call) => ({ ok: true, channel: { id: call.args.channel, is_member: true, is_private: true, is_ext_shared: true } }));
      const t = await start();
      try {
        await qrShown(t, SECRET);
        expect(uploads()).toEqual([]);
        expect(JSON.stringify(slack.calls)).not.toContain(SECRET);
        expect(t.logs.filter((l) => l.component === 'admin-notifier' && /another organisation/.test(String(l.msg)))).toHaveLength(1);
      } finally {
        await t.stop();
      }
    });

    it('when Slack will not say whether the channel is private (a missing scope), then the QR is not posted and the log names the scopes', async () => {
      slack.respond('conversations.info', () => ({ ok: false, error: 'missing_scope', needed: 'groups:read' }));
      const t = await start();
      try {
        await qrShown(t, SECRET);
        expect(uploads()).toEqual([]);
        expect(JSON.stringify(slack.calls)).not.toContain(SECRET);
        const line = t.logs.find((l) => l.component === 'admin-notifier' && /could not check/.test(String(l.msg)));
        expect(String(line?.msg)).toMatch(/missing_scope/);
        expect(String(line?.msg)).toMatch(/channels:read.*groups:read/);
        expect(lastStatus()).toMatch(/login QR is waiting/);
        expect(lastStatus()).toMatch(/not posted here/);
      } finally {
        await t.stop();
      }
    });

    it('when the channel is made public while a QR is shown, then the shown QR is deleted and the next one is not posted', async () => {
      const t = await start();
      try {
        await qrShown(t, 'QR-ONE');
        const [first] = uploadedFileIds();
        expect(first).toBeDefined();

        slack.respond('conversations.info', { ok: true, channel: { id: ADMIN, is_private: false } });
        await qrShown(t, SECRET);
        expect(uploadedFileIds()).toEqual([first]);
        expect(slack.callsTo('files.delete').map((c) => c.args.file)).toEqual([first]);
        expect(JSON.stringify(slack.calls)).not.toContain(SECRET);
        expect(lastStatus()).toMatch(/not posted here/);
      } finally {
        await t.stop();
      }
    });
  });
});
