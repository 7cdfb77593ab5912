import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { connectStore } from '../../src/store/connect';

export interface TestDb {
  uri: string;
  dbName: string;
  client: MongoClient;
  db: Db;
  /** A mongoose connection to the same database, opened exactly as the app opens its own. */
  mongoose: Connection;
  /** True when the run uses the in-process stand-in rather than a real mongod. */
  isStandin: boolean;
}

/** The server URI the run's global setup chose. */
export function testServerUri(): string {
  const uri = process.env.SWITCHBOARD_TEST_MONGODB_URI;
  if (!uri) throw new Error('SWITCHBOARD_TEST_MONGODB_URI is unset: run tests through jest (globalSetup)');
  return uri;
}

export function isStandinRun(): boolean {
  return process.env.SWITCHBOARD_TEST_STORE_KIND === 'standin';
}

/** A database name no other test file uses. */
export function uniqueDbName(prefix = 'sbtest'): string {
  return `${prefix}_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(5).toString('hex')}`;
}

/**
 * Gives the calling test file its own database on the run's server, dropped after the file.
 * Call at the top of a describe block; the returned object is filled in by beforeAll.
 */
export function useTestDb(): TestDb {
  const ctx = { isStandin: isStandinRun() } as TestDb;
  beforeAll(async () => {
    ctx.uri = testServerUri();
    ctx.dbName = uniqueDbName();
    ctx.client = await MongoClient.connect(ctx.uri, { serverSelectionTimeoutMS: 5000 });
    ctx.db = ctx.client.db(ctx.dbName);
    ctx.mongoose = await connectStore(ctx.uri, { dbName: ctx.dbName });
  });
  afterAll(async () => {
    await ctx.db?.dropDatabase().catch(() => undefined);
    await ctx.mongoose?.close();
    await ctx.client?.close();
  });
  return ctx;
}

/**
 * Moves the stand-in's clock forward and runs its TTL sweep at once. Only the stand-in can do
 * this (a test-only command, like mongod's enableTestCommands); callers check {@link isStandinRun}.
 */
export async function advanceStandinClock(client: MongoClient, ms: number): Promise<void> {
  await client.db('admin').command({ standinAdvanceClock: 1, ms });
}
