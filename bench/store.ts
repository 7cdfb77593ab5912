import { MongoClient, type Collection, type Document } from 'mongodb';
import { silentLogger } from '../src/logger';
import { startStandin } from '../src/store/standin';
import { percentile, report, rssMb, since } from './stats';

const SINGLE_INSERTS = 5_000;
const BATCHES = 20;
const LOOKUP_DOCS = 100_000;
const LOOKUPS = 5_000;
const CLAIM_ITEMS = 10_000;
const CLAIM_WORKERS = 4;

/**
 * The store figures from the foundation issue, measured through the official driver over a real
 * wire connection: against MONGODB_URI when set, else the in-process stand-in.
 */
export async function runStoreBench(): Promise<void> {
  const standin = process.env.MONGODB_URI ? undefined : await startStandin({ logger: silentLogger() });
  const client = await MongoClient.connect(process.env.MONGODB_URI ?? standin!.uri);
  const db = client.db(`bench_store_${Date.now()}`);
  try {
    await insertSingle(db.collection('single'));
    await insertBatches(db.collection('batch'));
    await findUnique(db.collection('contacts'));
    await claim(db.collection('outbox'));
    report('store.rss', rssMb(), 'MB');
  } finally {
    await db.dropDatabase();
    await client.close();
    await standin?.close();
  }
}

async function insertSingle(coll: Collection): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < SINGLE_INSERTS; i++) await coll.insertOne({ i, body: `message ${i}`, at: new Date() });
  report('store.insert.single', Math.round(SINGLE_INSERTS / (since(start) / 1000)), 'docs/s');
}

async function insertBatches(coll: Collection): Promise<void> {
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    await coll.insertMany(Array.from({ length: 1000 }, (_, i) => ({ b, i, body: `message ${i}`, at: new Date() })));
  }
  report('store.insert.batch1000', Math.round((BATCHES * 1000) / (since(start) / 1000)), 'docs/s');
}

async function findUnique(coll: Collection): Promise<void> {
  await coll.createIndex({ waId: 1 }, { unique: true });
  for (let b = 0; b < LOOKUP_DOCS / 1000; b++) {
    await coll.insertMany(Array.from({ length: 1000 }, (_, i) => contact(b * 1000 + i)));
  }
  const samples: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const n = (i * 7919) % LOOKUP_DOCS;
    const start = performance.now();
    const found = await coll.findOne({ waId: `${447700000000 + n}@c.us` });
    samples.push(since(start));
    if (!found) throw new Error(`lookup ${n} found nothing`);
  }
  report('store.find_unique.p50', percentile(samples, 0.5), 'ms');
  report('store.find_unique.p99', percentile(samples, 0.99), 'ms');
}

function contact(n: number): Document {
  return { waId: `${447700000000 + n}@c.us`, name: `Contact ${n}`, labels: ['vip'], lastInboundAt: new Date() };
}

async function claim(coll: Collection): Promise<void> {
  await coll.createIndex({ state: 1, nextAttemptAt: 1 });
  const due = new Date();
  for (let b = 0; b < CLAIM_ITEMS / 1000; b++) {
    await coll.insertMany(
      Array.from({ length: 1000 }, (_, i) => ({ seq: b * 1000 + i, state: 'due', nextAttemptAt: due })),
    );
  }
  const claimed: number[] = [];
  const worker = async (id: number) => {
    for (;;) {
      const item = await coll.findOneAndUpdate(
        { state: 'due' },
        { $set: { state: 'claimed', worker: id } },
        { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
      );
      if (!item) return;
      claimed.push(item.seq as number);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CLAIM_WORKERS }, (_, id) => worker(id)));
  const elapsed = since(start);
  report('store.claim.throughput', Math.round(claimed.length / (elapsed / 1000)), 'items/s');
  report('store.claim.double_claims', claimed.length - new Set(claimed).size, '');
  if (new Set(claimed).size !== CLAIM_ITEMS) throw new Error(`claimed ${new Set(claimed).size} of ${CLAIM_ITEMS}`);
}
