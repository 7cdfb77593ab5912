import { trusted } from 'mongoose';
import type { Broadcast, BroadcastRecipient, BroadcastState, RecipientState, SkipCode } from '../../domain/broadcast';
import type { AudienceContact, PlannedRecipient } from '../../broadcast/plan';
import type { Models } from '../models';
import { stringKey } from './filter-values';

type BroadcastDoc = Omit<Broadcast, 'id'> & { _id: { toString(): string } };
type RecipientDoc = BroadcastRecipient & { _id: unknown };

const toBroadcast = (doc: BroadcastDoc | null): Broadcast | null => {
  if (!doc) return null;
  const { _id, ...rest } = doc;
  return { ...rest, id: _id.toString() };
};
const toRecipient = ({ _id, ...rest }: RecipientDoc): BroadcastRecipient => rest;

/** How many audience contacts one round trip brings: 100,000 small projections in a handful. */
const AUDIENCE_BATCH = 25_000;
/** How many recent broadcasts a contact remembers (the cap is at most 50 a week). */
const LOG_KEPT = 50;

export type CapClaim = 'claimed' | 'already' | 'over_cap';

/** A contact as planning reads it, with the broadcasts it got lately (newest first). */
export type AudienceRow = AudienceContact & { broadcastLog?: Array<{ at: Date; b: string }> };

export interface BroadcastRepository {
  create(broadcast: Omit<Broadcast, 'id'>): Promise<Broadcast>;
  get(id: string): Promise<Broadcast | null>;
  recent(limit: number): Promise<Broadcast[]>;
  /** Moves it to `to` only from one of `from` (one conditional write); the broadcast after, or null when it was elsewhere. */
  transition(id: string, from: BroadcastState[], to: BroadcastState, set?: Partial<Omit<Broadcast, 'id' | 'state'>>): Promise<Broadcast | null>;
  /** Sending, and scheduled ones whose time has come. */
  active(now: Date): Promise<Broadcast[]>;
  setProgress(id: string, progress: NonNullable<Broadcast['progress']>): Promise<void>;
  /** The audience's contacts (all of these labels), as planning reads them. */
  audience(labels: string[]): AsyncIterable<AudienceRow>;
  /** Of these contacts (waId → their other id), those whose other id opted out. */
  twinsOptedOut(aliases: Map<string, string>): Promise<Set<string>>;
  /** Writes one recipient per person (a repeat adds nobody), then marks the list written. */
  writeRecipients(id: string, recipients: PlannedRecipient[], at: Date): Promise<void>;
  /** Pending recipients due at `now` (not held by quiet hours), oldest first. */
  duePending(id: string, now: Date, limit: number): Promise<BroadcastRecipient[]>;
  /** The earliest time a deferred recipient becomes due, if any are pending. */
  nextDue(id: string): Promise<Date | undefined>;
  markQueued(id: string, person: string, messageId: string, at: Date): Promise<void>;
  markSkipped(id: string, person: string, reason: { code: SkipCode; text: string }, at: Date): Promise<void>;
  defer(id: string, person: string, notBefore: Date, at: Date): Promise<void>;
  recipientCounts(id: string): Promise<Partial<Record<RecipientState, number>>>;
  recipients(id: string): AsyncIterable<BroadcastRecipient>;
  /**
   * The frequency cap, claimed on the contact in one write: fewer than `max` broadcasts in the seven
   * days before `at` (counted per contact), and this broadcast not counted yet.
   */
  claimCap(waId: string, broadcast: { id: string; name: string }, at: Date, max: number): Promise<CapClaim>;
  eraseContact(waId: string): Promise<void>;
}

export function createBroadcastRepository(models: Models): BroadcastRepository {
  const { Broadcast: model, BroadcastRecipient: recipients, Contact: contacts } = models;
  const key = (id: string, person: string) => ({ broadcastId: { $eq: id }, person: { $eq: person } });
  return {
    async create(broadcast) {
      const doc = await model.create(broadcast);
      return toBroadcast(doc.toObject() as BroadcastDoc)!;
    },
    async get(id) {
      if (!/^[0-9a-f]{24}$/.test(id)) return null;
      return toBroadcast(await model.findById(id).lean<BroadcastDoc>());
    },
    async recent(limit) {
      return (await model.find().sort({ createdAt: -1 }).limit(limit).lean<BroadcastDoc[]>()).map((d) => toBroadcast(d)!);
    },
    async transition(id, from, to, set = {}) {
      if (!/^[0-9a-f]{24}$/.test(id)) return null;
      const doc = await model.findOneAndUpdate({ _id: id, state: trusted({ $in: from }) }, { $set: { ...set, state: to } }, { returnDocument: 'after' }).lean<BroadcastDoc>();
      return toBroadcast(doc);
    },
    async active(now) {
      const docs = await model.find({ $or: [{ state: 'sending' }, { state: 'scheduled', sendAt: trusted({ $lte: now }) }] }).lean<BroadcastDoc[]>();
      return docs.map((d) => toBroadcast(d)!);
    },
    async setProgress(id, progress) {
      await model.updateOne({ _id: id }, { $set: { progress } });
    },
    async *audience(labels) {
      // Each label an equality (an index lookup, and the cheapest match on every store), all required.
      const filter = labels.length > 0 ? { $and: labels.map((label) => ({ labels: { $eq: String(label) } })) } : {};
      const cursor = contacts
        .find(filter, { _id: 0, waId: 1, aliasWaId: 1, name: 1, consent: 1, activity: 1, lastInboundAt: 1, broadcastLog: 1 })
        .batchSize(AUDIENCE_BATCH)
        .lean<AudienceRow>()
        .cursor();
      for await (const row of cursor) yield row as AudienceRow;
    },
    async twinsOptedOut(aliases) {
      if (aliases.size === 0) return new Set();
      const out = await contacts.find({ waId: trusted({ $in: [...new Set(aliases.values())].map(String) }), 'consent.status': 'opted_out' }, { _id: 0, waId: 1 }).lean<Array<{ waId: string }>>();
      const optedOut = new Set(out.map((o) => o.waId));
      return new Set([...aliases].filter(([, alias]) => optedOut.has(alias)).map(([waId]) => waId));
    },
    async writeRecipients(id, list, at) {
      if (list.length > 0) {
        const docs = list.map((r) => ({ broadcastId: id, person: r.person, waId: r.waId, state: 'pending', updatedAt: at }));
        // Unordered, duplicates ignored: written again after a crash midway, nobody is added twice.
        await recipients.insertMany(docs, { ordered: false }).catch((err: { code?: number; writeErrors?: Array<{ code?: number }> }) => {
          const errors = err.writeErrors ?? (err.code !== undefined ? [err] : undefined);
          if (!errors || errors.some((e) => e.code !== 11000)) throw err;
        });
      }
      await model.updateOne({ _id: id }, { $set: { materialized: true } });
    },
    async duePending(id, now, limit) {
      const docs = await recipients
        .find({ broadcastId: { $eq: id }, state: 'pending', $or: [{ notBefore: trusted({ $exists: false }) }, { notBefore: trusted({ $lte: now }) }] })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<RecipientDoc[]>();
      return docs.map(toRecipient);
    },
    async nextDue(id) {
      const doc = await recipients.findOne({ broadcastId: { $eq: id }, state: 'pending' }).sort({ notBefore: 1 }).lean<RecipientDoc>();
      return doc ? (doc.notBefore ?? new Date(0)) : undefined;
    },
    async markQueued(id, person, messageId, at) {
      await recipients.updateOne(key(id, person), { $set: { state: 'queued', messageId, queuedAt: at, updatedAt: at }, $unset: { notBefore: 1 } });
    },
    async markSkipped(id, person, reason, at) {
      await recipients.updateOne({ ...key(id, person), state: 'pending' }, { $set: { state: 'skipped', reason: reason.text, reasonCode: reason.code, updatedAt: at } });
    },
    async defer(id, person, notBefore, at) {
      await recipients.updateOne({ ...key(id, person), state: 'pending' }, { $set: { notBefore, updatedAt: at } });
    },
    async recipientCounts(id) {
      const rows = await recipients.aggregate<{ _id: RecipientState; n: number }>([{ $match: { broadcastId: id } }, { $group: { _id: '$state', n: { $sum: 1 } } }]);
      return Object.fromEntries(rows.map((r) => [r._id, r.n]));
    },
    async *recipients(id) {
      for await (const doc of recipients.find({ broadcastId: { $eq: id } }).sort({ _id: 1 }).lean<RecipientDoc>().cursor()) yield toRecipient(doc as RecipientDoc);
    },
    async claimCap(waId, { id: broadcastId, name }, at, max) {
      if (stringKey(waId) === undefined) return 'over_cap';
      const weekAgo = new Date(at.getTime() - 7 * 86_400_000);
      // The log is newest first: fewer than `max` in the week ⟺ its max-th entry is older (or missing).
      const result = await contacts.updateOne(
        { waId: { $eq: waId }, 'broadcastLog.b': trusted({ $ne: broadcastId }), [`broadcastLog.${max - 1}.at`]: trusted({ $not: { $gte: weekAgo } }) },
        // The name too: a reply in the following days is shown as a reply to it.
        { $push: { broadcastLog: { $each: [{ at, b: broadcastId, n: name }], $position: 0, $slice: LOG_KEPT } } },
      );
      if (result.matchedCount === 1) return 'claimed';
      return (await contacts.exists({ waId: { $eq: waId }, 'broadcastLog.b': broadcastId })) ? 'already' : 'over_cap';
    },
    async eraseContact(waId) {
      if (stringKey(waId) === undefined) return;
      await recipients.deleteMany({ waId: { $eq: waId } });
    },
  };
}
