import type { Clock } from '../../clock';
import type { Models } from '../models';
import { stringKey } from './filter-values';

/** Named values kept in the store; callers validate what they read (it may predate their schema). */
export interface SettingsRepository {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export function createSettingsRepository(models: Models, clock: Clock): SettingsRepository {
  const { Setting: model } = models;
  return {
    async get(key) {
      const id = stringKey(key);
      if (id === undefined) return undefined;
      const doc = await model.findOne({ _id: { $eq: id } }).lean<{ value: unknown }>();
      return doc?.value;
    },
    async set(key, value) {
      // Keys are the app's own constants, never user input; the check keeps it that way.
      const id = stringKey(key);
      if (id === undefined) throw new TypeError('setting keys are strings');
      await model.updateOne({ _id: { $eq: id } }, { $set: { value, updatedAt: clock() } }, { upsert: true });
    },
  };
}
