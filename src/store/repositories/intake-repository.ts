import { trusted } from 'mongoose';
import type { MediaRef } from '../../domain/message';
import type { Models } from '../models';
import { stringKey } from './filter-values';
import { isDuplicateKey } from './mongo-errors';

/** A file attached to an agent's Slack message, as the event carried it. */
export interface IntakeFile {
  id: string;
  name?: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
}

/** An agent's reply, taken in from Slack and owed until it is in the outbox (or found not to go). */
export interface Intake {
  id: string;
  key: string;
  kind: 'thread' | 'modal';
  channel: string;
  threadTs: string;
  user: string;
  ts?: string;
  subtype?: string;
  text?: string;
  files?: IntakeFile[];
  contactWaId?: string;
  shown?: string;
  postTs?: string;
  attachments?: MediaRef[];
  receivedAt: Date;
  state: 'owed' | 'done' | 'failed';
  nextAttemptAt: Date;
  attempts: number;
  claims: number;
  notified?: boolean;
  lastError?: string;
  outcome?: string;
  finishedAt?: Date;
}

export type NewIntake = Pick<Intake, 'key' | 'kind' | 'channel' | 'threadTs' | 'user' | 'receivedAt'> &
  Partial<Pick<Intake, 'ts' | 'subtype' | 'text' | 'files' | 'contactWaId' | 'shown'>>;

export interface IntakeRepository {
  /** Stores a new intake, due at once; a second one with the same key is not stored (`created: false`). */
  record(intake: NewIntake): Promise<{ intake: Intake; created: boolean }>;
  /** Owed intakes of one thread, oldest first. */
  owedInThread(channel: string, threadTs: string, limit: number): Promise<Intake[]>;
  /** Threads with an owed intake due by `now`, the longest-waiting first. */
  dueThreads(now: Date, limit: number): Promise<Array<{ channel: string; threadTs: string }>>;
  /** Takes an owed, due intake until `now + claimMs`; null if it is not due or someone else took it. */
  claim(id: string, now: Date, claimMs: number): Promise<Intake | null>;
  /** After a failed attempt: due again at `at`. */
  retryAt(id: string, at: Date, error: string): Promise<void>;
  markNotified(id: string): Promise<void>;
  keepAttachments(id: string, attachments: MediaRef[]): Promise<void>;
  /** The app's post of a modal reply: a retry must not post it again. */
  notePost(id: string, postTs: string): Promise<void>;
  /** Ends an owed intake and drops its text; false if it had ended already. */
  finish(id: string, state: 'done' | 'failed', outcome: string, at: Date): Promise<boolean>;
  findByKey(key: string): Promise<Intake | null>;
}

type IntakeDoc = Omit<Intake, 'id'> & { _id: { toString(): string } };

function toIntake({ _id, ...rest }: IntakeDoc): Intake {
  return { ...rest, id: _id.toString() } as Intake;
}

/** The reply intake (`reply_intakes`): what an agent sent, held durably until it is processed. */
export function createIntakeRepository(models: Models): IntakeRepository {
  const { Intake: model } = models;
  const byId = (id: string) => ({ _id: { $eq: id } });
  const findByKey = async (key: string) => {
    if (stringKey(key) === undefined) return null;
    const doc = await model.findOne({ key: { $eq: key } }).lean<IntakeDoc>();
    return doc ? toIntake(doc) : null;
  };
  return {
    findByKey,
    async record(intake) {
      try {
        const doc = await model.create({ ...intake, state: 'owed', nextAttemptAt: intake.receivedAt, attempts: 0, claims: 0 });
        return { intake: toIntake(doc.toObject() as unknown as IntakeDoc), created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await findByKey(intake.key);
        if (!existing) throw err;
        return { intake: existing, created: false };
      }
    },
    async owedInThread(channel, threadTs, limit) {
      if (stringKey(channel) === undefined || stringKey(threadTs) === undefined) return [];
      const docs = await model
        .find({ channel: { $eq: channel }, threadTs: { $eq: threadTs }, state: 'owed' })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<IntakeDoc[]>();
      return docs.map(toIntake);
    },
    async dueThreads(now, limit) {
      const rows = await model.aggregate<{ _id: { channel: string; threadTs: string } }>([
        { $match: { state: 'owed', nextAttemptAt: { $lte: now } } },
        { $group: { _id: { channel: '$channel', threadTs: '$threadTs' }, first: { $min: '$_id' } } },
        { $sort: { first: 1 } },
        { $limit: limit },
      ]);
      return rows.map((r) => r._id);
    },
    async claim(id, now, claimMs) {
      // Conditional on being due (a Date from our clock, never user input, so it may pass the filter sanitizer): of two claimers, the first moves the due time ahead and the second finds nothing.
      const doc = await model
        .findOneAndUpdate(
          { ...byId(id), state: 'owed', nextAttemptAt: trusted({ $lte: now }) },
          { $set: { nextAttemptAt: new Date(now.getTime() + claimMs) }, $inc: { claims: 1 } },
          { returnDocument: 'after' },
        )
        .lean<IntakeDoc>();
      return doc ? toIntake(doc) : null;
    },
    async retryAt(id, at, error) {
      await model.updateOne({ ...byId(id), state: 'owed' }, { $set: { nextAttemptAt: at, lastError: error }, $inc: { attempts: 1 } });
    },
    async markNotified(id) {
      await model.updateOne(byId(id), { $set: { notified: true } });
    },
    async keepAttachments(id, attachments) {
      await model.updateOne(byId(id), { $set: { attachments } });
    },
    async notePost(id, postTs) {
      await model.updateOne(byId(id), { $set: { postTs } });
    },
    async finish(id, state, outcome, at) {
      const res = await model.updateOne(
        { ...byId(id), state: 'owed' },
        { $set: { state, outcome, finishedAt: at }, $unset: { text: 1, files: 1, shown: 1, attachments: 1 } },
      );
      return res.modifiedCount === 1;
    },
  };
}
