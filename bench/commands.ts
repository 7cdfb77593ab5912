import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import mongoose from 'mongoose';
import { createModels } from '../src/store/models';
import { createPrivacy } from '../src/privacy/privacy';
import { createRepositories } from '../src/store/repositories';
import { BENCH_SIGNING_SECRET, remoteSlack, rig } from './rig';
import { percentile, report } from './stats';

const round = (ms: number) => Math.round(ms * 10) / 10;

const CONCURRENT = 200;
/** Bursts of CONCURRENT commands whose acks are pooled into the p50 and p99, after a warm-up burst. */
const MEASURED_BURSTS = 3;
const SEGMENT_CONTACTS = 100_000;
/** Commands the load process sends first to warm itself up (command-load.ts). */
const LOAD_WARM_UP = 10;

/**
 * The commands issue's figures: how fast 200 concurrent signed `/wa` commands are acknowledged by
 * the real HTTP receiver, whether any failed, and a segment count over 100,000 contacts.
 */
export async function runCommandsBench(): Promise<void> {
  const slack = await remoteSlack();
  const r = await rig({ SLACK_LEADS: 'U0LEAD01' }, slack.url);
  try {
    await r.app.deps.repos.labels.create({ name: 'vip' });
    await r.app.deps.repos.contacts.recordInbound({ waId: '447911123456@c.us', name: 'Ana Lima', at: new Date() });
    // Each burst starts once the answers to the last one are in, so every burst is 200 commands
    // meeting an idle app, and none lost shows as a shortfall.
    let owed = 0;
    let answers: Array<{ text: string }> = [];
    const burst = async () => {
      const acks = await loadFromAnotherProcess(r.baseUrl, slack.origin, CONCURRENT);
      owed += CONCURRENT + LOAD_WARM_UP;
      const deadline = Date.now() + 60_000;
      while ((answers = await slack.responses()).length < owed && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      return acks;
    };
    // The app under test has been up for a while: a first burst warms it (V8 optimises the ack
    // path only after some hundreds of requests). Its figure is printed too, for the cold case.
    const first = await burst();
    report('commands.ack.first_burst.p99', round(percentile(first.map((a) => a.ms), 0.99)), 'ms');
    const measured: Array<{ ms: number; ok: boolean }> = [];
    for (let i = 0; i < MEASURED_BURSTS; i++) measured.push(...(await burst()));
    report('commands.ack.p50', round(percentile(measured.map((a) => a.ms), 0.5)), 'ms');
    report('commands.ack.p99', round(percentile(measured.map((a) => a.ms), 0.99)), 'ms');
    // Every command must also have answered, and none with the "that failed" apology.
    const failed = answers.filter((a) => a.text.startsWith('Sorry, that failed')).length;
    report('commands.errors', [...first, ...measured].filter((a) => !a.ok).length + failed + Math.max(0, owed - answers.length), '');
    await segmentCount(r.app.deps.config.store.mongodbUri!);
  } finally {
    await r.stop();
    await slack.close();
  }
}

/** Fires the commands from a process of its own, so the app's event loop carries only the app. */
async function loadFromAnotherProcess(baseUrl: string, responseOrigin: string, count: number): Promise<Array<{ ms: number; ok: boolean }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'command-load.ts'), baseUrl, BENCH_SIGNING_SECRET, responseOrigin, String(count)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await once(child, 'exit');
  return JSON.parse(Buffer.concat(chunks).toString()) as Array<{ ms: number; ok: boolean }>;
}

/** A segment count over 100k contacts, through the app's repository, counting commands on the wire. */
async function segmentCount(uri: string): Promise<void> {
  const connection = await mongoose.createConnection(uri, { monitorCommands: true, sanitizeFilter: true, autoIndex: false, autoCreate: false }).asPromise();
  try {
    const contacts = connection.db!.collection('contacts');
    const batch = 10_000;
    for (let offset = 0; offset < SEGMENT_CONTACTS; offset += batch) {
      await contacts.insertMany(
        Array.from({ length: batch }, (_, j) => {
          const i = offset + j;
          return {
            waId: `4477${String(i).padStart(8, '0')}@c.us`,
            labels: i % 10 === 0 ? ['vip', 'billing'] : ['billing'],
            consent: { status: i % 3 === 0 ? 'opted_in' : 'unknown' },
            activity: { status: i % 7 === 0 ? 'inactive' : 'active' },
          };
        }),
      );
    }
    const repos = createRepositories(createModels(connection), () => new Date(), createPrivacy({ key: 'bench', previousKeys: [], ephemeral: true }));
    let roundTrips = 0;
    connection.getClient().on('commandStarted', () => roundTrips++);
    const start = performance.now();
    const count = await repos.contacts.countSegment({ labels: ['vip'], activity: 'active', optedIn: true });
    report('commands.segment_100k', Math.round(performance.now() - start), 'ms');
    report('commands.segment_100k.round_trips', roundTrips, '');
    if (count === 0) throw new Error('bench: the segment matched nothing');
  } finally {
    await connection.close();
  }
}
