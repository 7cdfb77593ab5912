/** The pieces every end-to-end bench runs: the real app, its store and Slack in their own processes. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createPrivacy } from '../src/privacy/privacy';
import { startApp, type RunningApp, type StartOverrides } from '../src/start-app';
import { FakeWhatsAppGateway } from '../test/support/fake-whatsapp-gateway';
import { startFakeSlackApi, type FakeSlackApi } from '../test/support/slack/fake-slack-api';

export const BENCH_SIGNING_SECRET = 'bench-signing-secret';

/** A helper process that must not outlive the bench, however the bench ends. */
function owned<T extends ReturnType<typeof spawn>>(child: T): T {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

export interface Rig {
  app: RunningApp;
  /** Base URL of the app's HTTP receiver (signed requests, health). */
  baseUrl: string;
  gateway: FakeWhatsAppGateway;
  stop(): Promise<void>;
}

/**
 * The store in its own process, as MongoDB would be: MONGODB_URI when set, else the stand-in
 * started with `npm run db:standin` (so the store and the app each get a core).
 */
export async function startStore(): Promise<{ uri: string; close(): Promise<void> }> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, close: async () => {} };
  const child = owned(spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../src/store/standin/cli.ts')], { stdio: ['ignore', 'pipe', 'ignore'] }));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    uri: line.toString().trim(),
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The fake Slack API in a process of its own; `posts()` fetches what it received. */
export async function remoteSlack(options: { down?: boolean } = {}): Promise<{
  url: string;
  /** Resolves once Slack has received at least `n` thread posts. */
  waitFor(n: number): Promise<void>;
  posts(): Promise<Array<{ text: string; at: number }>>;
  /** How many thread posts Slack has received. */
  count(): Promise<number>;
  /** Base for response URLs, and what was posted to them. */
  origin: string;
  responses(): Promise<Array<{ id: string; text: string }>>;
  close(): Promise<void>;
}> {
  const child = owned(
    spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'slack-process.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(options.down ? { SLACK_DOWN: '1' } : {}) },
    }),
  );
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const [url, control] = line.toString().trim().split(' ') as [string, string];
  return {
    url,
    waitFor: async (n) => void (await (await fetch(`${control}/wait?n=${n}`)).json()),
    posts: async () => (await (await fetch(`${control}/posts`)).json()) as Array<{ text: string; at: number }>,
    count: async () => ((await (await fetch(`${control}/count`)).json()) as { count: number }).count,
    origin: new URL(url).origin,
    responses: async () => (await (await fetch(`${control}/responses`)).json()) as Array<{ id: string; text: string }>,
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The real app over the store and the fake Slack API, with a fake WhatsApp gateway. */
export interface RigOptions {
  /** A store shared between rigs (a restart on the same data); the rig then leaves it running. */
  store?: { uri: string };
  dbName?: string;
  gateway?: FakeWhatsAppGateway;
  wrapRepositories?: StartOverrides['wrapRepositories'];
}

export async function rig(env: Record<string, string> = {}, slack?: FakeSlackApi | string, options: RigOptions = {}): Promise<Rig> {
  const owned = options.store ? undefined : await startStore();
  const store = options.store ?? owned!;
  const api = typeof slack === 'string' ? undefined : (slack ?? (await startFakeSlackApi()));
  const gateway = options.gateway ?? new FakeWhatsAppGateway();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    PRIVACY_KEY: 'bench-privacy-key-0123456789abcdef0123',
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_INBOX_CHANNEL: 'C0INBOX01',
    SLACK_API_URL: typeof slack === 'string' ? slack : api!.url,
    MONGODB_URI: `${store.uri.replace(/\/$/, '')}/${options.dbName ?? `bench_${Date.now()}`}`,
    WHATSAPP_GATEWAY: 'none',
    PORT: '0',
    SLACK_POST_PER_SEC: '100000',
    // The undo window is a deliberate wait, not throughput: measured without it.
    UNDO_SECONDS: '0',
    SLACK_POST_BURST: '100000',
    ...env,
  });
  const quiet = createLogger({ level: 'error', pretty: false, pseudonym: createPrivacy(config.privacy).pseudonym }, new Writable({ write: (_c, _e, done) => done() }));
  const app = await startApp(config, quiet, { gateway, printQr: () => {}, ...(options.wrapRepositories ? { wrapRepositories: options.wrapRepositories } : {}) });
  return {
    app,
    baseUrl: `http://127.0.0.1:${app.port}`,
    gateway,
    async stop() {
      await app.stop();
      if (!slack) await api!.close();
      await owned?.close();
    },
  };
}
