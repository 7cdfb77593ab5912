import mongoose from 'mongoose';
import { planAudience } from '../src/broadcast/planner';
import type { Broadcast } from '../src/domain/broadcast';
import type { SendOptions, SentMessage } from '../src/whatsapp/gateway';
import { createModels, syncIndexes } from '../src/store/models';
import { createPrivacy } from '../src/privacy/privacy';
import { createRepositories, type Repositories } from '../src/store/repositories';
import { CrashSwitch, CrashedError } from '../test/support/crash-switch';
import { FakeWhatsAppGateway } from '../test/support/fake-whatsapp-gateway';
import { rig, startStore, type Rig } from './rig';
import { report, since } from './stats';

const PLAN_CONTACTS = Number(process.env.BROADCAST_PLAN_CONTACTS ?? 100_000);
const SEND_RECIPIENTS = Number(process.env.BROADCAST_SEND_RECIPIENTS ?? 10_000);
/** The fake gateway's pace: the Cloud API's default per-number throughput. */
const PACE = Number(process.env.BROADCAST_BENCH_PACE ?? 80);
const CRASH_RECIPIENTS = Number(process.env.BROADCAST_CRASH_RECIPIENTS ?? 1_000);
const CRASH_OPT_OUTS = 50;
const debug = (line: string) => process.env.BENCH_DEBUG && process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/**
 * A fake WhatsApp taking at most `pace` sends a second (a token bucket, as Meta's limit behaves).
 * Each text send records when its last check (the consent check in the send slot) began.
 */
class PacedGateway extends FakeWhatsAppGateway {
  private next = 0;
  readonly texts: Array<{ chatId: string; text: string; checkedAt: number }> = [];
  constructor(private readonly pace: number) {
    super();
  }
  sendsPerSecond(): number {
    return this.pace;
  }
  override async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<SentMessage> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.pace;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    let checkedAt = performance.now();
    const check = options.check;
    const sent = await super.sendText(chatId, text, {
      ...options,
      ...(check
        ? {
            check: async () => {
              checkedAt = performance.now();
              await check();
            },
          }
        : {}),
    });
    this.texts.push({ chatId, text, checkedAt });
    return sent;
  }
}

/** Quiet hours that are not now (the bench runs at any hour): an hour starting three hours ahead, in UTC. */
function quietElsewhere(): string {
  const at = (h: number) => `${String((new Date().getUTCHours() + h) % 24).padStart(2, '0')}:00`;
  return `${at(3)}-${at(4)}`;
}

const cloudEnv = (): Record<string, string> => ({
  WHATSAPP_GATEWAY: 'cloud',
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: '100000000000001',
  WHATSAPP_CLOUD_WABA_ID: '200000000000002',
  WHATSAPP_CLOUD_TOKEN: 'bench-token-0123456789abcdef',
  WHATSAPP_CLOUD_APP_SECRET: 'bench-app-secret-0123456789',
  WHATSAPP_CLOUD_VERIFY_TOKEN: 'bench-verify-token-0123456789',
  WHATSAPP_CLOUD_API_URL: 'http://127.0.0.1:9',
  WHATSAPP_CLOUD_SEND_PER_SEC: String(PACE),
  BROADCAST_QUIET_HOURS: quietElsewhere(),
  TZ_REPORTS: 'UTC',
});

/** `n` opted-in contacts labelled `news` who wrote an hour ago; ids without a country (@lid), so TZ_REPORTS rules quiet hours. */
async function seedRecipients(store: { uri: string }, dbName: string, n: number, now: Date): Promise<string[]> {
  const connection = await mongoose.createConnection(store.uri, { dbName }).asPromise();
  const db = connection.db!;
  const ids: string[] = [];
  const prefix = '7';
  for (let offset = 0; offset < n; offset += 10_000) {
    const docs = Array.from({ length: Math.min(10_000, n - offset) }, (_, j) => {
      const waId = `${prefix}${String(offset + j).padStart(9, '0')}@lid`;
      ids.push(waId);
      return {
        waId,
        name: `Person ${offset + j}`,
        labels: ['news'],
        consent: { status: 'opted_in', since: new Date(now.getTime() - 86_400_000), source: 'reply:YES' },
        activity: { status: 'active' },
        lastInboundAt: new Date(now.getTime() - 3_600_000),
        conversation: { status: 'open', openedAt: now },
        createdAt: now,
        updatedAt: now,
      };
    });
    await db.collection('contacts').insertMany(docs);
  }
  await connection.close();
  return ids;
}

/** A text broadcast stored as a lead's would be once approved (the runner is what is measured). */
async function scheduled(repos: Repositories, name: string, now: Date): Promise<Broadcast> {
  return repos.broadcasts.create({
    name,
    author: 'U0BENCH',
    audience: { labels: ['news'], includeInactive: false },
    message: { kind: 'text', quickReply: 'news', body: 'Hi {{first_name}}, we open at 8 from Monday.' },
    sendAt: now,
    state: 'scheduled',
    gateway: 'cloud',
    planned: { recipients: 0, excluded: {} },
    createdAt: now,
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The preview for 100,000 contacts: time and round trips on the wire. */
async function plan100k(): Promise<void> {
  const store = await startStore();
  const connection = await mongoose.createConnection(store.uri, { dbName: `bench_broadcast_${process.pid}`, monitorCommands: true, sanitizeFilter: true }).asPromise();
  try {
    const models = createModels(connection);
    await syncIndexes(models);
    const now = new Date();
    const repos = createRepositories(models, () => now, createPrivacy({ key: 'bench', previousKeys: [], ephemeral: true }));
    const contacts = connection.db!.collection('contacts');
    for (let offset = 0; offset < PLAN_CONTACTS; offset += 10_000) {
      await contacts.insertMany(
        Array.from({ length: Math.min(10_000, PLAN_CONTACTS - offset) }, (_, j) => {
          const i = offset + j;
          const status = ['opted_in', 'opted_in', 'unknown', 'opted_out', 'pending'][i % 5];
          return {
            waId: `4477${String(i).padStart(8, '0')}@c.us`,
            ...(i % 50 === 0 ? { aliasWaId: `9${String(i).padStart(14, '0')}@lid` } : {}),
            name: `Person ${i}`,
            labels: ['news'],
            consent: { status },
            activity: { status: i % 17 === 0 ? 'inactive' : 'active' },
            lastInboundAt: new Date(now.getTime() - (i % 90) * 86_400_000),
            ...(i % 7 === 0 ? { broadcastLog: [{ at: new Date(now.getTime() - 86_400_000), b: 'a' }, { at: new Date(now.getTime() - 2 * 86_400_000), b: 'b' }] } : {}),
            createdAt: now,
            updatedAt: now,
          };
        }),
      );
    }
    let roundTrips = 0;
    connection.getClient().on('commandStarted', () => roundTrips++);
    const start = performance.now();
    const plan = await planAudience(repos, { labels: ['news'], includeInactive: false }, { gateway: 'cloud', maxPerWeek: 2, now });
    report('broadcast.plan_100k', Math.round(since(start)), 'ms');
    report('broadcast.plan_100k.round_trips', roundTrips, '');
    report('broadcast.plan_100k.recipients', plan.recipients.length, '');
  } finally {
    await connection.db!.dropDatabase().catch(() => undefined);
    await connection.close();
    await store.close();
  }
}

/** 10,000 recipients through the fake gateway at its pace: achieved rate over the pace, from start to the last send. */
async function sendUtilisation(): Promise<void> {
  const store = await startStore();
  const dbName = `bench_broadcast_send_${process.pid}`;
  const gateway = new PacedGateway(PACE);
  const r = await rig(cloudEnv(), undefined, { store, dbName, gateway });
  try {
    const now = new Date();
    await seedRecipients(store, dbName, SEND_RECIPIENTS, now);
    const broadcast = await scheduled(r.app.deps.repos, 'utilisation', now);
    const start = performance.now();
    await until(async () => gateway.texts.length >= SEND_RECIPIENTS || (await r.app.deps.repos.broadcasts.get(broadcast.id))?.state === 'done', 30 * 60_000);
    const seconds = since(start) / 1000;
    report('broadcast.send.utilisation', Math.round((gateway.texts.length / seconds / PACE) * 1000) / 10, '%');
    report('broadcast.send.sent', gateway.texts.length, '');
  } finally {
    await r.stop();
    await store.close();
  }
}

/**
 * Killed mid-broadcast and restarted on the same store and WhatsApp, with opt-outs arriving while
 * it runs: who got it twice, who never got it, and who got a copy whose last consent check began
 * after their opt-out was stored.
 */
async function crashAndResume(): Promise<void> {
  const store = await startStore();
  const dbName = `bench_broadcast_crash_${process.pid}`;
  const gateway = new PacedGateway(PACE);
  const crash = new CrashSwitch();
  const now = new Date();
  const ids = await seedRecipients(store, dbName, CRASH_RECIPIENTS, now);
  const first = await rig(cloudEnv(), undefined, { store, dbName, gateway, wrapRepositories: (repos) => crash.repositories(repos) });
  let second: Rig | undefined;
  let live: Rig = first;
  const stoppers = ids.filter((_, i) => i % Math.floor(CRASH_RECIPIENTS / CRASH_OPT_OUTS) === 7).slice(0, CRASH_OPT_OUTS);
  /** When each opt-out was seen stored (polled right after the STOP was handed in). */
  const storedAt = new Map<string, number>();
  let stopping = true;
  const optOuts = (async () => {
    for (const who of stoppers) {
      if (!stopping) return;
      gateway.receive({ from: who, content: { kind: 'text', text: 'STOP' } });
      for (;;) {
        const contact = await live.app.deps.repos.contacts.findByWaId(who).catch(() => null);
        if (contact?.consent.status === 'opted_out') break;
        await new Promise((r) => setTimeout(r, 5));
      }
      storedAt.set(who, performance.now());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const broadcast = await scheduled(first.app.deps.repos, 'crash', now);
    await until(async () => gateway.texts.length >= CRASH_RECIPIENTS * 0.4, 10 * 60_000);
    debug(`crash at ${gateway.texts.length} sends`);
    crash.pull();
    await first.stop().catch((err: unknown) => (err instanceof CrashedError ? undefined : Promise.reject(err)));
    // Its shutdown stopped the (shared) fake WhatsApp; the next process links it again.
    gateway.setState('connected');
    debug('first stopped');
    second = live = await rig(cloudEnv(), undefined, { store, dbName, gateway });
    debug('second started');
    let polls = 0;
    await until(async () => {
      const b = await second!.app.deps.repos.broadcasts.get(broadcast.id);
      if (++polls % 50 === 0) debug(`${b?.state} ${JSON.stringify(await second!.app.bridge.broadcasts.figures(broadcast.id))} sent ${gateway.texts.length} ${gateway.status().state}`);
      return b?.state === 'done';
    }, 20 * 60_000);
    debug(`done at ${gateway.texts.length} sends`);
    stopping = false;
    await optOuts;
    debug('opt-outs done');
    const copies = gateway.texts.filter((s) => s.text.startsWith('Hi '));
    const perContact = new Map<string, number[]>();
    for (const copy of copies) perContact.set(copy.chatId, [...(perContact.get(copy.chatId) ?? []), copy.checkedAt]);
    const duplicates = [...perContact.values()].reduce((n, sends) => n + Math.max(0, sends.length - 1), 0);
    const lost = ids.filter((id) => !stoppers.includes(id) && !perContact.has(id)).length;
    const sentToOptedOut = stoppers.filter((id) => (perContact.get(id) ?? []).some((checkedAt) => checkedAt > (storedAt.get(id) ?? Infinity))).length;
    report('broadcast.duplicates', duplicates, '');
    report('broadcast.lost', lost, '');
    report('broadcast.sent_to_opted_out', sentToOptedOut, '');
    report('broadcast.crash.opt_outs_during', storedAt.size, '');
  } finally {
    stopping = false;
    await second?.stop();
    await store.close();
  }
}

export async function runBroadcastBench(): Promise<void> {
  const steps = { plan100k, sendUtilisation, crashAndResume };
  // BROADCAST_STEPS=plan100k,… runs a subset.
  const only = process.env.BROADCAST_STEPS?.split(',');
  for (const [name, step] of Object.entries(steps)) if (!only || only.includes(name)) await step();
}
