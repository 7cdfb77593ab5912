import type { Server } from 'node:http';
import { HTTPReceiver, LogLevel } from '@slack/bolt';
import { createAfterAckQueue } from '../../../src/slack/after-ack-queue';
import { EarlyAckApp } from '../../../src/slack/early-ack-app';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const SECRET = 'early-ack-secret';

/** The real App subclass on Bolt's HTTP receiver, with listeners that acknowledge only once a gate opens. */
async function startApp() {
  const receiver = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
  const app = new EarlyAckApp(
    { receiver, token: 'xoxb-test', tokenVerificationEnabled: false, botId: 'B0BOT', botUserId: 'U0BOT', logLevel: LogLevel.ERROR, convoStore: false },
    createAfterAckQueue({ concurrency: 4, maxWaitMs: 1000 }),
  );
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Under plain Bolt, Slack would get nothing from these until the gate opens.
  app.command('/wa', async ({ ack, command }) => {
    await gate;
    await ack({ text: 'ignored: the ack has gone' });
    seen.push(`command ${command.text}`);
  });
  app.action('claim', async ({ ack }) => {
    await gate;
    await ack();
    seen.push('action claim');
  });
  app.shortcut('send_quick_reply', async ({ ack }) => {
    await gate;
    await ack();
    seen.push('shortcut send_quick_reply');
  });
  app.view('form', async ({ ack }) => {
    await ack({ response_action: 'errors', errors: { name: 'Required.' } });
  });
  const server = (await app.start(0)) as Server;
  const { port } = server.address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${port}`, seen, release };
}

const messageShortcut = {
  type: 'message_action',
  callback_id: 'send_quick_reply',
  trigger_id: '1.2.5',
  team: { id: 'T0TEAM', domain: 'test' },
  user: { id: 'U0AGENT', name: 'agent' },
  channel: { id: 'C0INBOX01', name: 'inbox' },
  message: { type: 'message', ts: '1700000000.000001', text: 'hi' },
  message_ts: '1700000000.000001',
  response_url: 'http://127.0.0.1:9/r',
};

describe('EarlyAckApp', () => {
  let t: Awaited<ReturnType<typeof startApp>>;
  beforeEach(async () => (t = await startApp()));
  afterEach(async () => {
    t.release();
    await t.app.stop();
  });

  it('when a slash command, a button and a message shortcut arrive, then each gets an empty 200 without waiting for its listener, which still runs', async () => {
    const command = await postSlashCommand(t.baseUrl, SECRET, { text: 'status', response_url: 'http://127.0.0.1:9/r' });
    const action = await postInteraction(t.baseUrl, SECRET, blockActionPayload({ actionId: 'claim' }));
    const shortcut = await postInteraction(t.baseUrl, SECRET, messageShortcut);
    expect([command, action, shortcut]).toEqual([...Array(3)].map(() => ({ status: 200, body: '' })));
    expect(t.seen).toEqual([]);
    t.release();
    await t.app.idle();
    expect(t.seen).toEqual(['command status', 'action claim', 'shortcut send_quick_reply']);
  });

  it('when the app is asked whether it is idle while a command is still being answered, then it waits for that answer', async () => {
    await postSlashCommand(t.baseUrl, SECRET, { text: 'slow', response_url: 'http://127.0.0.1:9/r' });
    let idle = false;
    const waiting = t.app.idle().then(() => (idle = true));
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    t.release();
    await waiting;
    expect(t.seen).toEqual(['command slow']);
  });

  it('when a view is submitted, then Bolt processes it before answering, so its ack keeps the errors', async () => {
    const res = await postInteraction(t.baseUrl, SECRET, viewSubmissionPayload({ callbackId: 'form', privateMetadata: '', values: {} }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ response_action: 'errors', errors: { name: 'Required.' } });
  });

  it('when a slash command is forged, then it is refused and no listener runs', async () => {
    const res = await postSlashCommand(t.baseUrl, SECRET, { text: 'status', response_url: 'http://127.0.0.1:9/r' }, { forgeWith: 'not-the-secret' });
    expect(res.status).toBe(401);
    t.release();
    await t.app.idle();
    expect(t.seen).toEqual([]);
  });
});
