import type { Models } from '../models';
import { isDuplicateKey } from './mongo-errors';

/** Signed Slack requests and modal submissions already taken (`seen_requests`), across instances. */
export interface SeenRequestRepository {
  /**
   * Records `key` as seen until `expiresAt`, in one insert: true for the first sight of it (on any
   * instance), false if it had been recorded already. Throws if the store cannot say.
   */
  firstSight(key: string, seenAt: Date, expiresAt: Date): Promise<boolean>;
}

export function createSeenRequestRepository(models: Models): SeenRequestRepository {
  const { SeenRequest: model } = models;
  return {
    async firstSight(key, seenAt, expiresAt) {
      try {
        // An insert, not a find-then-insert: of two copies arriving at once, the unique _id lets exactly one in.
        await model.create({ _id: key, seenAt, expiresAt });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
  };
}
