import { HTTPReceiver, LogLevel } from '@slack/bolt';
import { createAfterAckQueue } from '../../../src/slack/after-ack-queue';
import { CommandAckApp } from '../../../src/slack/command-ack-app';
import { postInteraction, postSlashCommand } from '../../support/slack/signed-request';
import { viewSubmissionPayload } from '../../support/slack/payloads';

const SECRET = 'command-ack-secret';

/** The real App subclass on Bolt's HTTP receiver, with one gated `/wa` listener and one view. */
async function startApp() {
  const receiver = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
  const app = new CommandAckApp(
    { receiver, token: 'xoxb-test', tokenVerificationEnabled: false, botId: 'B0BOT', botUserId: 'U0BOT', logLevel: LogLevel.ERROR, convoStore: false },
    createAfterAckQueue({ concurrency: 4, maxWaitMs: 1000 }),
  );
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Acknowledges only after the gate opens: under plain Bolt, Slack would get nothing until then.
  app.command('/wa', async ({ ack, command }) => {
    await gate;
    await ack({ text: 'ignored: the ack has gone' });
    seen.push(`answered ${command.text}`);
  });
  app.view('form', async ({ ack }) => {
    await ack({ response_action: 'errors', errors: { name: 'Required.' } });
  });
  const server = (await app.start(0)) as import('node:http').Server;
  const { port } = server.address() as { port: number };
  return { app, baseUrl: `http://127.0.0.1:${port}`, seen, release };
}

describe('CommandAckApp', () => {
  let t: Awaited<ReturnType<typeof startApp>>;
  beforeEach(async () => (t = await startApp()));
  afterEach(async () => {
    t.release();
    await t.app.stop();
  });

  it('when a slash command arrives, then Slack gets an empty 200 without waiting for the listener, which still runs', async () => {
    const res = await postSlashCommand(t.baseUrl, SECRET, { text: 'status', response_url: 'http://127.0.0.1:9/r' });
    expect(res).toEqual({ status: 200, body: '' });
    expect(t.seen).toEqual([]);
    t.release();
    await t.app.commandsIdle();
    expect(t.seen).toEqual(['answered status']);
  });

  it('when the app is asked whether commands are done while one is still being answered, then it waits for that answer', async () => {
    await postSlashCommand(t.baseUrl, SECRET, { text: 'slow', response_url: 'http://127.0.0.1:9/r' });
    let idle = false;
    const waiting = t.app.commandsIdle().then(() => (idle = true));
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    t.release();
    await waiting;
    expect(t.seen).toEqual(['answered slow']);
  });

  it('when a request is not a slash command, then Bolt processes it before answering: a view keeps its errors in the ack', async () => {
    const res = await postInteraction(t.baseUrl, SECRET, viewSubmissionPayload({ callbackId: 'form', privateMetadata: '', values: {} }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ response_action: 'errors', errors: { name: 'Required.' } });
  });

  it('when a slash command is forged, then it is refused and no listener runs', async () => {
    const res = await postSlashCommand(t.baseUrl, SECRET, { text: 'status', response_url: 'http://127.0.0.1:9/r' }, { forgeWith: 'not-the-secret' });
    expect(res.status).toBe(401);
    t.release();
    await t.app.commandsIdle();
    expect(t.seen).toEqual([]);
  });
});
