import mongoose from 'mongoose';
import type { Contact } from '../src/domain/contact';
import { buildReport } from '../src/hygiene/report';
import { renderReportChart } from '../src/hygiene/report-chart';
import { createModels, syncIndexes } from '../src/store/models';
import { createPrivacy } from '../src/privacy/privacy';
import { createRepositories } from '../src/store/repositories';
import { startStore } from './rig';
import { report, rssMb, since } from './stats';

const CONTACTS = Number(process.env.HYGIENE_CONTACTS ?? 100_000);
const DAY = 86_400_000;
const NOW = new Date('2026-11-25T03:00:00Z');
const rules = { inactiveBefore: new Date(NOW.getTime() - 90 * DAY), inactiveDays: 90, optedInBefore: new Date(NOW.getTime() - 30 * DAY), noReplyDays: 30, now: NOW };

/**
 * The hygiene issue's figures over 100,000 contacts in the store's own process: the set-based
 * flagging (time and round trips on the wire), the same rules as a per-contact loop, and a report.
 */
export async function runHygieneBench(): Promise<void> {
  const store = await startStore();
  const connection = await mongoose.createConnection(store.uri, { dbName: `bench_hygiene_${process.pid}`, monitorCommands: true, sanitizeFilter: true }).asPromise();
  try {
    const models = createModels(connection);
    await syncIndexes(models);
    const repos = createRepositories(models, () => NOW, createPrivacy({ key: 'bench', previousKeys: [], ephemeral: true }));
    await seed(connection);
    let roundTrips = 0;
    connection.getClient().on('commandStarted', () => roundTrips++);

    let start = performance.now();
    const flagged = await repos.hygiene.flagInactive(rules);
    const flagMs = since(start);
    const flagTrips = roundTrips;
    report('hygiene.flag_100k', Math.round(flagMs), 'ms');
    report('hygiene.flag_100k.round_trips', flagTrips, '');

    start = performance.now();
    const data = await buildReport(repos, NOW);
    renderReportChart(data.history, 'UTC');
    report('hygiene.report_100k', Math.round(since(start)), 'ms');
    // The app's memory after flagging and reporting 100k contacts: after a GC (the seeding above
    // built 100k documents here), and before the loop below inflates it.
    global.gc?.();
    report('hygiene.rss', rssMb(), 'MB');
    // Back to the seeded state, then the same rules one contact at a time.
    await connection.db!.collection('contacts').updateMany({}, { $set: { 'activity.status': 'active' } });
    start = performance.now();
    const naive = await naiveFlag(models.Contact);
    const naiveMs = since(start);
    if (naive !== flagged.noMessage + flagged.noReply) throw new Error(`bench: the loop flagged ${naive}, the set-based run ${flagged.noMessage + flagged.noReply}`);
    report('hygiene.naive_100k', Math.round(naiveMs), 'ms');
    report('hygiene.speedup', Math.round((naiveMs / flagMs) * 10) / 10, 'x');
  } finally {
    await connection.db!.dropDatabase().catch(() => undefined);
    await connection.close();
    await store.close();
  }
}

/** 100k contacts: a third quiet for over 90 days, a fifth opted in, some of those silent since. */
async function seed(connection: mongoose.Connection): Promise<void> {
  const contacts = connection.db!.collection('contacts');
  const batch = 10_000;
  for (let offset = 0; offset < CONTACTS; offset += batch) {
    await contacts.insertMany(
      Array.from({ length: Math.min(batch, CONTACTS - offset) }, (_, j) => {
        const i = offset + j;
        const last = new Date(NOW.getTime() - ((i * 7919) % 180) * DAY);
        const optedIn = i % 5 === 0;
        return {
          waId: `4477${String(i).padStart(8, '0')}@c.us`,
          e164: `+4477${String(i).padStart(8, '0')}`,
          labels: i % 10 === 0 ? ['vip'] : ['billing'],
          consent: optedIn ? { status: 'opted_in', since: i % 3 === 0 ? last : new Date(last.getTime() - DAY) } : { status: 'unknown' },
          activity: { status: 'active' },
          lastInboundAt: last,
          createdAt: new Date(NOW.getTime() - 400 * DAY),
          updatedAt: last,
        };
      }),
    );
  }
}

/** What the job would be without set-based writes: read every contact, decide in code, write each. */
async function naiveFlag(model: ReturnType<typeof createModels>['Contact']): Promise<number> {
  let flagged = 0;
  for await (const c of model.find({ 'activity.status': 'active' }).lean<Contact[]>().cursor()) {
    const contact = c as Contact;
    const last = contact.lastInboundAt?.getTime();
    const quiet = last === undefined ? contact.createdAt < rules.inactiveBefore : last < rules.inactiveBefore.getTime();
    const since = contact.consent.since?.getTime() ?? Infinity;
    const noReply = contact.consent.status === 'opted_in' && since < rules.optedInBefore.getTime() && (last === undefined || last <= since);
    if (!quiet && !noReply) continue;
    const reason = quiet ? 'no message for 90 days' : 'no reply within 30 days of opting in';
    await model.updateOne({ waId: { $eq: contact.waId } }, { $set: { activity: { status: 'inactive', reason, since: rules.now } } });
    flagged++;
  }
  return flagged;
}
