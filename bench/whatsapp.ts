import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeSlackApi } from '../test/support/slack/fake-slack-api';
import { report } from './stats';

const root = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Let start-up garbage settle before reading memory. */
const SETTLE_MS = 5_000;
/** The full /readyz report (with memory) needs the health token. */
const HEALTH_TOKEN = 'bench-health-token-0123456789';

interface Readiness {
  whatsapp: { state: string; browserRssMb?: number };
  appRssMb: number;
  /** Memory is sampled every 15 s, not when asked. */
  memorySampledAt: string;
}

/**
 * Idle memory of the built app (`node dist/main.js`, as `npm start` runs it), read from its own
 * /readyz: once with WHATSAPP_GATEWAY=none, once with whatsapp-web.js's Chromium running.
 *
 * Offline, web.whatsapp.com cannot load, so the browser is held on its first navigation: its HTTPS
 * proxy is a local socket that accepts and never answers. That is Chromium idle with an empty page;
 * a logged-in WhatsApp Web page adds its own memory on top (see the closing note of the issue).
 */
export async function runWhatsAppBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const slack = await startFakeSlackApi();
  const sink = await blackHole();
  try {
    const without = await idleReadiness({ WHATSAPP_GATEWAY: 'none' }, (r) => r.whatsapp.state === 'stopped', slack.url);
    report('whatsapp.idle_rss.app_without_browser', without.appRssMb, 'MB');
    const proxy = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
    const withBrowser = await idleReadiness(
      { WHATSAPP_GATEWAY: 'wwebjs', CHROMIUM_PATH: CHROMIUM, https_proxy: proxy, http_proxy: proxy },
      (r) => r.whatsapp.browserRssMb !== undefined,
      slack.url,
    );
    report('whatsapp.idle_rss.app_with_browser', withBrowser.appRssMb, 'MB');
    report('whatsapp.idle_rss.browser', withBrowser.whatsapp.browserRssMb ?? Number.NaN, 'MB');
    report('whatsapp.idle_rss.total_with_browser', Math.round((withBrowser.appRssMb + (withBrowser.whatsapp.browserRssMb ?? 0)) * 10) / 10, 'MB');
  } finally {
    sink.close();
    await slack.close();
  }
}

/** Starts the built app, waits until `ready(report)` holds and memory settles, returns the first /readyz sampled after that, stops it. */
async function idleReadiness(env: Record<string, string>, ready: (r: Readiness) => boolean, slackUrl: string): Promise<Readiness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-wa-'));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/main.js')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-secret',
      SLACK_INBOX_CHANNEL: 'C0BENCH01',
      SLACK_API_URL: slackUrl,
      STORE: 'memory',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      HEALTH_TOKEN,
      // Chromium refuses its sandbox as root; a bench box running as root must say so explicitly.
      ...(process.getuid?.() === 0 ? { WHATSAPP_NO_SANDBOX: 'true' } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readyz = () =>
    fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } }).then(
      (r) => r.json() as Promise<Readiness>,
      () => undefined,
    );
  /** Polls until `check` holds; the app samples memory every 15 s, so this can take that long. */
  const until = async (check: (r: Readiness) => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    let last: Readiness | undefined;
    while (!last || !check(last)) {
      if (Date.now() > deadline) throw new Error(`the app did not reach ${what}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 200));
      last = await readyz();
    }
    return last;
  };
  try {
    await until(ready, 'the expected state');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settledAt = Date.now();
    const settled = await until((r) => Date.parse(r.memorySampledAt) >= settledAt, 'a memory sample after settling');
    if (!ready(settled)) throw new Error(`the app left the expected state while settling: ${JSON.stringify(settled)}`);
    return settled;
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A TCP server that takes connections and never answers: a proxy on which every page load hangs. */
async function blackHole(): Promise<Server> {
  const held: Socket[] = [];
  const server = createServer((socket) => void held.push(socket));
  server.on('close', () => held.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
