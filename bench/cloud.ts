import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createPrivacy } from '../src/privacy/privacy';
import { startApp, type RunningApp } from '../src/start-app';
import { BENCH_SIGNING_SECRET, remoteSlack, startStore } from './rig';
import { percentile, report } from './stats';

const MESSAGES = Number(process.env.CLOUD_MESSAGES ?? 5_000);
const CONTACTS = 50;
/** Webhook requests in flight at once from the sender, as Meta's delivery pool would keep. */
const CONCURRENCY = Number(process.env.CLOUD_CONCURRENCY ?? 50);
/**
 * The ack latency is measured apart, on a schedule (messages a second, each delivered twice) for
 * LATENCY_SECONDS: with a full closed loop it would only say in-flight / throughput (Little's law).
 */
const ACK_RATE = Number(process.env.CLOUD_ACK_RATE ?? 100);
const LATENCY_SECONDS = 5;
const SEND_PER_SEC = Number(process.env.WHATSAPP_CLOUD_SEND_PER_SEC ?? 80);
/** The outbound drain is measured over this long from its first send (see outboundUtilisation). */
const DRAIN_SECONDS = 10;

const TOKEN = 'EAAG-bench-token-0123456789';
const APP_SECRET = 'bench-app-secret-0123456789';
const PHONE_ID = '106540352242922';
const WABA_ID = '102290129340398';

const contactDigits = (i: number) => `4479110${String(i % CONTACTS).padStart(5, '0')}`;

/** A helper process that must not outlive the bench, however the bench ends. */
function owned(child: ReturnType<typeof spawn>): ReturnType<typeof spawn> {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

const tsx = (file: string, args: string[] = [], env: Record<string, string> = {}) =>
  owned(spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } }));

/**
 * The fake Graph API in its own process (graph-process.ts): there it judges Meta's throughput limit
 * on requests as they arrive over the network, not on the app's event loop, which would hide bursts.
 */
async function remoteGraph(): Promise<{ origin: string; sends(): Promise<{ sends: number[]; refused: number[] }>; close(): Promise<void> }> {
  const child = tsx('graph-process.ts', [], { GRAPH_SEND_PER_SEC: String(SEND_PER_SEC), GRAPH_PHONE_ID: PHONE_ID, GRAPH_WABA_ID: WABA_ID, GRAPH_TOKEN: TOKEN });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const [origin, control] = line.toString().trim().split(' ') as [string, string];
  return {
    origin,
    sends: async () => (await (await fetch(control)).json()) as { sends: number[]; refused: number[] },
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Meta's side of webhooks from another process (cloud-sender.ts); resolves with what it measured. */
async function sendWebhooks(baseUrl: string, first: number, count: number, rate?: number): Promise<{ startedAt: number; endedAt: number; acks: number[]; failed: number }> {
  const child = tsx('cloud-sender.ts', [baseUrl, APP_SECRET, String(first), String(count), String(CONTACTS), String(CONCURRENCY), ...(rate ? [String(rate)] : [])]);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`bench: the webhook sender exited with ${code}`);
  return JSON.parse(Buffer.concat(chunks).toString()) as { startedAt: number; endedAt: number; acks: number[]; failed: number };
}

/** The real app with WHATSAPP_GATEWAY=cloud, its store, Slack and Graph API each in a process of their own. */
async function cloudRig(slackUrl: string, graphOrigin: string): Promise<{ app: RunningApp; baseUrl: string; stop(): Promise<void> }> {
  const store = await startStore();
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    PRIVACY_KEY: 'bench-privacy-key-0123456789abcdef0123',
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_INBOX_CHANNEL: 'C0INBOX01',
    SLACK_API_URL: slackUrl,
    MONGODB_URI: `${store.uri.replace(/\/$/, '')}/bench_cloud_${Date.now()}`,
    PORT: '0',
    SLACK_POST_PER_SEC: '100000',
    SLACK_POST_BURST: '100000',
    // The undo window is a deliberate wait, not throughput: measured without it.
    UNDO_SECONDS: '0',
    WHATSAPP_GATEWAY: 'cloud',
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_ID,
    WHATSAPP_CLOUD_WABA_ID: WABA_ID,
    WHATSAPP_CLOUD_TOKEN: TOKEN,
    WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
    WHATSAPP_CLOUD_VERIFY_TOKEN: 'bench-verify-token-0123456789',
    WHATSAPP_CLOUD_API_URL: graphOrigin,
    WHATSAPP_CLOUD_SEND_PER_SEC: String(SEND_PER_SEC),
  });
  const quiet = createLogger({ level: 'error', pretty: false, pseudonym: createPrivacy(config.privacy).pseudonym }, new Writable({ write: (_c, _e, done) => done() }));
  const app = await startApp(config, quiet, { printQr: () => {} });
  if (app.deps.gateway.status().state !== 'connected') throw new Error(`bench: the Cloud API gateway did not connect (${app.deps.gateway.status().detail ?? app.deps.gateway.status().state})`);
  return {
    app,
    baseUrl: `http://127.0.0.1:${app.port}`,
    async stop() {
      await app.stop();
      await store.close();
    },
  };
}

/**
 * Resolves once Slack has a thread post for each of `texts`, or after `ms` (a loss then shows in
 * cloud.lost). Counted by text: a contact's first message also brings its card, so the number of
 * thread posts alone says little. The texts are only fetched once there are posts enough for them
 * (Slack's process says when): fetched all along, the growing list would load the app it measures.
 */
async function slackHas(slack: Awaited<ReturnType<typeof remoteSlack>>, texts: Set<string>, ms: number, postsBefore: number): Promise<void> {
  const deadline = Date.now() + ms;
  await Promise.race([slack.waitFor(postsBefore + texts.size), new Promise((res) => setTimeout(res, ms))]);
  while (Date.now() < deadline) {
    const seen = new Set((await slack.posts()).map((p) => p.text).filter((t) => texts.has(t)));
    if (seen.size === texts.size) return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

const texts = (first: number, count: number) => new Set(Array.from({ length: count }, (_, k) => `t${first + k}`));

const WARM_UP = CONTACTS * 4;
/** Warm-up messages are numbered from here, apart from the measured ones (0…MESSAGES-1). */
const WARM_BASE = 10_000_000;

/** Inbound: throughput, the 200's latency, and what reached Slack against what was sent. */
async function inbound(graphOrigin: string): Promise<void> {
  const slack = await remoteSlack();
  const r = await cloudRig(slack.url, graphOrigin);
  try {
    // JIT, sockets and every contact's thread in place first: the figures are for steady state.
    await sendWebhooks(r.baseUrl, WARM_BASE, WARM_UP);
    await slackHas(slack, texts(WARM_BASE, WARM_UP), 60_000, 0);
    const before = await slack.count();
    const run = await sendWebhooks(r.baseUrl, 0, MESSAGES);
    await slackHas(slack, texts(0, MESSAGES), 120_000, before);
    await r.app.bridge.recorded();
    await r.app.bridge.toSlack.runDue();
    const sent = texts(0, MESSAGES);
    const posts = (await slack.posts()).filter((p) => sent.has(p.text));
    const counts = new Map<string, number>();
    for (const p of posts) counts.set(p.text, (counts.get(p.text) ?? 0) + 1);
    const lastAt = Math.max(...posts.map((p) => p.at));
    // Meta's side: messages whose two deliveries were all verified, stored and answered, per second.
    report('cloud.webhook.throughput', Math.round(MESSAGES / ((run.endedAt - run.startedAt) / 1000)), 'msg/s');
    // End to end, from the first webhook sent to the last message in Slack (the bridge's pace).
    report('cloud.webhook.to_slack.throughput', Math.round(MESSAGES / ((lastAt - run.startedAt) / 1000)), 'msg/s');
    report('cloud.lost', [...sent].filter((t) => !counts.has(t)).length, '');
    report('cloud.duplicated', [...counts.values()].reduce((n, c) => n + c - 1, 0), '');
    // Then at ACK_RATE msg/s (two deliveries each), once the app has caught up with the burst.
    const paced = await sendWebhooks(r.baseUrl, MESSAGES, ACK_RATE * LATENCY_SECONDS, ACK_RATE * 2);
    report('cloud.webhook.ack.p50', Math.round(percentile(paced.acks, 0.5) * 10) / 10, 'ms');
    report('cloud.webhook.ack.p99', Math.round(percentile(paced.acks, 0.99) * 10) / 10, 'ms');
    report('cloud.webhook.ack.closed_loop.p99', Math.round(percentile(run.acks, 0.99) * 10) / 10, 'ms');
    report('cloud.webhook.not_200', run.failed + paced.failed, '');
  } finally {
    await r.stop();
    await slack.close();
  }
}

/**
 * Outbound: a queue of replies (more than the drain can send) drained at WHATSAPP_CLOUD_SEND_PER_SEC
 * against a Graph API that refuses with 130429 above it. Refused sends are retried by the app and
 * counted once they go through; the refusals are printed on their own.
 */
async function outboundUtilisation(graph: Awaited<ReturnType<typeof remoteGraph>>): Promise<void> {
  const slack = await remoteSlack();
  const r = await cloudRig(slack.url, graph.origin);
  try {
    const { repos } = r.app.deps;
    // Every contact wrote just now: the 24-hour window is open for free text.
    for (let c = 0; c < CONTACTS; c++) await repos.contacts.recordInbound({ waId: `${contactDigits(c)}@c.us`, at: new Date() });
    await r.app.bridge.toWhatsApp.stop(); // queue first, then measure the drain alone
    const queued = SEND_PER_SEC * (DRAIN_SECONDS + 5);
    for (let i = 0; i < queued; i++) {
      await repos.messages.recordOutbound({ contactWaId: `${contactDigits(i)}@c.us`, body: `o${i}`, purpose: 'reply', at: new Date(), state: 'pending' });
    }
    const before = (await graph.sends()).sends.length;
    r.app.bridge.toWhatsApp.start();
    // The measured seconds, and one more for the first send's own delay.
    await new Promise((res) => setTimeout(res, (DRAIN_SECONDS + 1) * 1000));
    const { sends, refused } = await graph.sends();
    const drained = sends.slice(before);
    const from = drained[0]!;
    const inWindow = drained.filter((at) => at < from + DRAIN_SECONDS * 1000).length;
    // Of what Meta's limit lets through in the window: the rate over it, and the second's worth
    // that either limiter (the app's or Meta's) holds at the start.
    report('cloud.outbound.utilisation', Math.round((inWindow / (SEND_PER_SEC * (DRAIN_SECONDS + 1))) * 1000) / 10, '%');
    report('cloud.outbound.sent', drained.length, '');
    report('cloud.outbound.refused_130429', refused.length, '');
  } finally {
    await r.stop();
    await slack.close();
  }
}

/** The Cloud API issue's figures (§6), end to end over HTTP: `npm run bench -- cloud`. */
export async function runCloudBench(): Promise<void> {
  const graph = await remoteGraph();
  try {
    // CLOUD_STEPS=inbound or outbound runs one (profiling); both by default.
    const only = process.env.CLOUD_STEPS?.split(',');
    if (!only || only.includes('inbound')) await inbound(graph.origin);
    if (!only || only.includes('outbound')) await outboundUtilisation(graph);
  } finally {
    await graph.close();
  }
}
