import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { MongoMemoryServer } from 'mongodb-memory-server';
import type { Logger } from 'pino';
import { AppError } from '../errors';

export type StoreKind = 'uri' | 'memory-server' | 'standin';

export interface ResolvedStore {
  kind: StoreKind;
  /** What the driver connects to. May carry credentials: log it through {@link redactUri}. */
  uri: string;
  stop(): Promise<void>;
}

export interface ResolveStoreOptions {
  logger: Logger;
  /** MONGODB_URI: an existing MongoDB wins over everything else. */
  mongodbUri?: string;
  /** STORE=memory: the operator accepts the in-process stand-in, where nothing survives a restart. */
  inProcess: boolean;
  /** MONGOMS_SYSTEM_BINARY: a mongod already on this machine for mongodb-memory-server to run. */
  systemBinary?: string;
  /** Where mongodb-memory-server keeps its data so it survives restarts (app mode only). */
  dataDir: string;
  /**
   * `app` tries mongodb-memory-server (which may download mongod) before giving up; `test` never
   * downloads and falls back to the stand-in, so the suite runs on machines without internet.
   */
  mode: 'app' | 'test';
}

/**
 * Picks the MongoDB the process talks to, in the documented order: MONGODB_URI →
 * mongodb-memory-server (persistent under the data dir; MONGOMS_SYSTEM_BINARY honoured) →
 * the in-process stand-in, only when asked for (STORE=memory) or under test.
 */
export async function resolveStore(options: ResolveStoreOptions): Promise<ResolvedStore> {
  const { logger } = options;
  if (options.mongodbUri) {
    return { kind: 'uri', uri: options.mongodbUri, stop: async () => {} };
  }
  if (options.inProcess) {
    logger.warn(
      'STORE=memory: using the in-process MongoDB stand-in. NOTHING SURVIVES A RESTART — ' +
        'every conversation, opt-out and queued message is lost when this process stops. ' +
        'Set MONGODB_URI for real use.',
    );
    return standin(options, false);
  }
  if (options.mode === 'test' && !options.systemBinary) return standin(options, true);

  try {
    const server = await startMemoryServer(options);
    return { kind: 'memory-server', uri: server.getUri(), stop: async () => void (await server.stop()) };
  } catch (err) {
    logger.debug({ err }, 'mongodb-memory-server could not start');
    throw new AppError(
      'STORE_UNAVAILABLE',
      'No MongoDB available: mongodb-memory-server could not start a mongod on this machine ' +
        `(${err instanceof Error ? err.message : String(err)}). Either set MONGODB_URI to a running ` +
        'MongoDB, or set STORE=memory to use the in-process stand-in (nothing survives a restart).',
    );
  }
}

async function startMemoryServer(options: ResolveStoreOptions): Promise<MongoMemoryServer> {
  const persistent = options.mode === 'app';
  const dbPath = path.join(options.dataDir, 'mongodb');
  if (persistent) await mkdir(dbPath, { recursive: true });
  // Loaded only when needed: most deployments use MONGODB_URI and never pay for it.
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  return MongoMemoryServer.create({
    instance: persistent ? { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' } : { ip: '127.0.0.1' },
    binary: options.systemBinary ? { systemBinary: options.systemBinary } : {},
  });
}

async function standin(options: ResolveStoreOptions, enableTestCommands: boolean): Promise<ResolvedStore> {
  // Loaded on demand so `npm start` against a real MongoDB never loads the stand-in. A require, not
  // import(): under node16 module resolution import() stays a real ESM import in CommonJS output.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startStandin } = require('./standin') as typeof import('./standin');
  const server = await startStandin({ logger: options.logger, enableTestCommands });
  return { kind: 'standin', uri: server.uri, stop: () => server.close() };
}

/** The URI with any password replaced, safe for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
