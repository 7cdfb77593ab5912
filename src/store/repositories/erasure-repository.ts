import { trusted } from 'mongoose';
import type { Privacy } from '../../privacy/privacy';
import type { Models } from '../models';
import { stringKey } from './filter-values';

/** What a ledger entry keeps of its words once the person is erased. */
export const ERASED_EVIDENCE = '[erased]';

/**
 * The records erasure must keep but not let name anyone: the consent ledger (why messages were or
 * were not sent) and the audit log (who did what) keep a keyed pseudonym instead of the WhatsApp
 * id and lose their free text; the conversation history and replies still owed are deleted.
 *
 * This is the one place that rewrites ledger entries: the ledger's own repository only appends.
 */
export interface ErasureRecord {
  threads: Array<{ channel: string; threadTs: string }>;
  by: string;
  startedAt: Date;
  slackDone: boolean;
}

export function createErasureRepository(models: Models, privacy: Privacy) {
  const records = models.Erasure;
  return {
    /** Starts (or, run again, continues) the erasure kept under `key`; returns it as stored. */
    async begin(key: string, threads: ErasureRecord['threads'], by: string, at: Date): Promise<ErasureRecord> {
      const doc = await records
        .findOneAndUpdate(
          { _id: { $eq: key } },
          { $setOnInsert: { by, startedAt: at }, $addToSet: { threads: { $each: threads } }, $set: { slackDone: false } },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<ErasureRecord>();
      return doc!;
    },
    /** The erasure under `key` whose Slack part is not finished, if there is one. */
    async unfinished(key: string): Promise<ErasureRecord | null> {
      if (stringKey(key) === undefined) return null;
      return records.findOne({ _id: { $eq: key }, slackDone: false }).lean<ErasureRecord>();
    },
    async slackDone(key: string): Promise<void> {
      await records.updateOne({ _id: { $eq: key } }, { $set: { slackDone: true } });
    },
    async pseudonymize(waId: string, thread?: { channel: string; threadTs: string }): Promise<void> {
      if (stringKey(waId) === undefined) return;
      const pseudonym = privacy.pseudonym(waId);
      const entries = await models.ConsentEvent.find({ contact: { $eq: waId } }, { key: 1 }).lean<Array<{ _id: unknown; key?: string }>>();
      if (entries.length > 0) {
        await models.ConsentEvent.bulkWrite(
          entries.map((e) => ({
            updateOne: {
              filter: { _id: e._id },
              // An idempotency key may hold the id (`opt_out:alias:<id>:…`): it stays unique, keyed too.
              update: { $set: { contact: pseudonym, evidence: ERASED_EVIDENCE, ...(e.key ? { key: privacy.pseudonym(e.key) } : {}) } },
            },
          })),
        );
      }
      // Audit entries about the contact: the pseudonym, and none of their free text (a reason may quote them).
      await models.Audit.updateMany({ 'args.contact': { $eq: waId } }, { $set: { 'args.contact': pseudonym }, $unset: { 'args.reason': 1, 'args.text': 1 } });
      const digits = /^(\d+)@/.exec(waId)?.[1];
      // Typed text kept by older versions (refused commands) may hold the number in any spacing.
      if (digits && digits.length >= 6) {
        const spaced = digits.slice(-9).split('').join('[\\s().-]*');
        await models.Audit.updateMany({ 'args.text': trusted({ $regex: spaced }) }, { $unset: { 'args.text': 1 } });
      }
      await models.ConversationEvent.deleteMany({ contact: { $eq: waId } });
      // Replies agents made that were not processed yet: they must not go out to someone erased.
      await models.Intake.deleteMany({ contactWaId: { $eq: waId } });
      if (thread && stringKey(thread.channel) !== undefined && stringKey(thread.threadTs) !== undefined) {
        await models.Intake.deleteMany({ channel: { $eq: thread.channel }, threadTs: { $eq: thread.threadTs } });
      }
    },
  };
}

export type ErasureRepository = ReturnType<typeof createErasureRepository>;
