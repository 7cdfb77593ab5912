import type { Clock } from '../../src/clock';
import { createModels, syncIndexes } from '../../src/store/models';
import { createRepositories, type Repositories } from '../../src/store/repositories';
import { testPrivacy } from './privacy';
import type { TestDb } from './mongo';

/**
 * The app's repositories over the test file's database (indexes built, as the app builds them),
 * ready from `beforeAll`; `clear` lists the collections emptied before each test.
 */
export function useRepositories(db: TestDb, clock: Clock, clear: string[]): Repositories {
  let built: Repositories | undefined;
  beforeAll(async () => {
    const models = createModels(db.mongoose);
    await syncIndexes(models);
    built = createRepositories(models, clock, testPrivacy());
  });
  beforeEach(async () => {
    for (const name of clear) await db.db.collection(name).deleteMany({});
  });
  return new Proxy({} as Repositories, {
    get: (_, key) => {
      if (!built) throw new Error('repositories are ready from beforeAll on');
      return built[key as keyof Repositories];
    },
  });
}
