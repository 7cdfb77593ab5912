import type { Models } from '../models';

/** Signed Slack requests and modal submissions already taken (`seen_requests`), across instances. */
export interface SeenRequestRepository {
  /**
   * Records `key` as seen until `expiresAt`, in one insert: true for the first sight of it (on any
   * instance), false if it had been recorded already. Throws if the store cannot say.
   */
  firstSight(key: string, seenAt: Date, expiresAt: Date): Promise<boolean>;
  /** Forgets `key`: what it recorded never took effect (a modal whose answer did not reach Slack). */
  release(key: string): Promise<void>;
}

interface Pending {
  doc: { _id: string; seenAt: Date; expiresAt: Date };
  resolve: (first: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Every Slack request waits for this answer before its ack, so the sightings asked for in one turn
 * of the event loop go to MongoDB together, as one unordered insert: under a burst of 200 commands
 * one insert per request queued the acks behind each other (p99 ack 105 → 315 ms,
 * `npm run bench -- commands`). An insert, never find-then-insert: of two copies, even in one
 * batch, the unique _id lets exactly one in.
 */
export function createSeenRequestRepository(models: Models): SeenRequestRepository {
  const collection = models.SeenRequest.collection;
  let batch: Pending[] | undefined;

  async function flush(pending: Pending[]): Promise<void> {
    const duplicates = new Set<number>();
    try {
      // The driver types _id as an ObjectId by default; these are strings (signatures, view ids).
      await collection.insertMany(pending.map((p) => p.doc) as unknown as Array<{ _id: never }>, { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index: number; code: number }> }).writeErrors;
      // Anything but "already there" leaves the store's answer unknown for the whole batch.
      if (!writeErrors || writeErrors.some((e) => e.code !== 11000)) {
        for (const p of pending) p.reject(err);
        return;
      }
      for (const e of writeErrors) duplicates.add(e.index);
    }
    pending.forEach((p, i) => p.resolve(!duplicates.has(i)));
  }

  return {
    async release(key) {
      await models.SeenRequest.deleteOne({ _id: { $eq: key } });
    },
    firstSight(key, seenAt, expiresAt) {
      return new Promise<boolean>((resolve, reject) => {
        if (!batch) {
          const pending: Pending[] = (batch = []);
          setImmediate(() => {
            batch = undefined;
            void flush(pending);
          });
        }
        batch.push({ doc: { _id: key, seenAt, expiresAt }, resolve, reject });
      });
    },
  };
}
