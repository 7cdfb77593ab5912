import { resolveStore, type ResolvedStore } from '../../src/store/resolve-store';
import { silentLogger } from '../../src/logger';

declare global {
  var __SWITCHBOARD_STORE__: ResolvedStore | undefined;
}

/**
 * One MongoDB for the whole run, chosen by the same code `npm start` uses: MONGODB_URI, else a
 * mongod from MONGOMS_SYSTEM_BINARY, else the in-process stand-in. Test files find it through
 * the environment and each make a database of their own (test/support/mongo.ts).
 */
export default async function globalSetup(): Promise<void> {
  const store = await resolveStore({
    logger: silentLogger(),
    mongodbUri: process.env.MONGODB_URI || undefined,
    inProcess: false,
    systemBinary: process.env.MONGOMS_SYSTEM_BINARY || undefined,
    dataDir: 'data',
    mode: 'test',
  });
  globalThis.__SWITCHBOARD_STORE__ = store;
  process.env.SWITCHBOARD_TEST_MONGODB_URI = store.uri;
  process.env.SWITCHBOARD_TEST_STORE_KIND = store.kind;
}
