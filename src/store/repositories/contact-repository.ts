import { trusted } from 'mongoose';
import { CONSENT_STATUSES, type Contact, type ContactRepository, type Consent, type ConsentStatus, type InboundSighting, type OwedOptOut, type Segment, type SlackConversation } from '../../domain/contact';
import { AUTO_REPLY_KINDS, type AutoReplyKind } from '../../domain/auto-reply';
import { waIdToE164 } from '../../domain/phone';
import type { Models } from '../models';
import { stringKey } from './filter-values';
import { contactReopener } from './contact-reopen';
import { isDuplicateKey } from './mongo-errors';
import type { SuppressionRepository } from './suppression-repository';

type ContactDoc = Omit<Contact, 'id'> & { _id: { toString(): string }; recentInboundAt?: Date[]; autoReply?: Partial<Record<AutoReplyKind, { at?: Date }>> };

function toContact(doc: ContactDoc | null): Contact | null {
  if (!doc) return null;
  // The automatic replies' bookkeeping stays in the store (see auto-reply-repository.ts).
  const { _id, recentInboundAt: _times, autoReply: _replies, broadcastLog, ...rest } = doc as ContactDoc & { broadcastLog?: Array<{ at: Date; b: string; n?: string }> };
  const last = broadcastLog?.[0];
  const lastBroadcast = last ? { lastBroadcast: { id: last.b, at: last.at, ...(last.n ? { name: last.n } : {}) } } : {};
  return { ...rest, ...lastBroadcast, id: _id.toString(), labels: rest.labels ?? [] } as Contact;
}

/** Contacts in MongoDB. Every write is a single atomic update keyed on the WhatsApp id. */
/** `simulated`: contacts created from now on are the simulator's played customers (WHATSAPP_GATEWAY=simulator). */
export function createContactRepository(models: Models, suppressions: SuppressionRepository, options: { simulated?: boolean } = {}): ContactRepository {
  const { Contact: model } = models;
  const opts = { returnDocument: 'after', lean: true } as const;

  const reopen = contactReopener(models);

  /** Why a new contact starts opted out, if it does: its number (or its other id's) was erased, or its other id opted out. */
  async function inheritedOptOut(sighting: InboundSighting): Promise<string | undefined> {
    const ids = [sighting.waId, ...(sighting.alias && stringKey(sighting.alias) !== undefined ? [sighting.alias] : [])];
    const suppressed = await suppressions.lookup(ids);
    for (const id of ids) if (suppressed.has(id)) return `suppressed:${suppressed.get(id)!.reason}`;
    if (ids.length > 1 && (await model.exists({ waId: { $eq: ids[1] }, 'consent.status': 'opted_out' }))) return `alias:${ids[1]}`;
    return undefined;
  }

  const byWaId = async (waId: string, update: object) =>
    stringKey(waId) === undefined ? null : toContact(await model.findOneAndUpdate({ waId: { $eq: waId } }, update, opts).lean<ContactDoc>());

  return {
    async recordInbound(sighting: InboundSighting) {
      const filter = { waId: { $eq: sighting.waId } };
      const since = sighting.since ?? sighting.at;
      const update = {
        $setOnInsert: {
          waId: sighting.waId,
          e164: waIdToE164(sighting.waId),
          labels: [],
          consent: { status: 'unknown' },
          activity: { status: 'active', since: sighting.at },
          'conversation.status': 'open',
          'conversation.openedAt': since,
          ...(options.simulated ? { simulated: true } : {}),
        },
        $max: { lastInboundAt: sighting.at },
        $push: { recentInboundAt: { $each: [sighting.at], $slice: -2 } },
        $inc: { inboundSeq: 1 },
        // The customer's oldest unanswered message (kept while one is already waiting).
        $min: { 'conversation.waitingSince': since },
        ...(sighting.name || sighting.alias ? { $set: { ...(sighting.name ? { name: sighting.name } : {}), ...(sighting.alias ? { aliasWaId: sighting.alias } : {}) } } : {}),
      };
      let doc: ContactDoc | null;
      let source: string | undefined;
      let created = false;
      try {
        doc = await model.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' }).lean<ContactDoc>();
        // Just created (one write stamped both times)? Consent follows the person: a number erased
        // before stays opted out (that was their choice), and so does one whose other id opted out.
        created = doc?.createdAt !== undefined && doc.createdAt.getTime() === doc.updatedAt?.getTime();
        source = created ? await inheritedOptOut(sighting) : undefined;
        if (source) {
          doc = await model
            .findOneAndUpdate({ waId: { $eq: sighting.waId } }, { $set: { consent: { status: 'opted_out', since: sighting.at, source } } }, { returnDocument: 'after' })
            .lean<ContactDoc>();
        }
      } catch (err) {
        // Two first messages from one contact at once: the loser's upsert hits the unique index; retry as an update.
        if (!isDuplicateKey(err)) throw err;
        doc = await model.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<ContactDoc>();
      }
      // An inbound message is activity: inactive → active. Archived is a lead's decision; it stays.
      if (doc?.activity?.status === 'inactive') {
        doc = await model
          .findOneAndUpdate(
            { waId: { $eq: sighting.waId }, 'activity.status': 'inactive' },
            { $set: { activity: { status: 'active', reason: 'inbound message', since: sighting.at } } },
            { returnDocument: 'after' },
          )
          .lean<ContactDoc>();
      }
      const { doc: after, change } = await reopen(doc, since);
      const contact = toContact(after) ?? (await this.findByWaId(sighting.waId))!;
      // The burst before this one (the push above keeps the last two); unknown for a contact stored before it was kept.
      const times = (after as ContactDoc | null)?.recentInboundAt;
      const previousInboundAt = !created && times?.length === 2 ? times[0] : undefined;
      const replies = (after as ContactDoc | null)?.autoReply;
      const lastAutoReplies = replies ? Object.fromEntries(AUTO_REPLY_KINDS.flatMap((kind) => (replies[kind]?.at ? [[kind, replies[kind].at]] : []))) : undefined;
      return {
        ...contact,
        ...(change ? { conversationChange: change } : {}),
        ...(source ? { optOutInherited: source } : {}),
        ...(created ? { created: true as const } : {}),
        ...(previousInboundAt ? { previousInboundAt } : {}),
        ...(lastAutoReplies ? { lastAutoReplies } : {}),
      };
    },
    async findByWaId(waId) {
      if (stringKey(waId) === undefined) return null;
      return toContact(await model.findOne({ waId: { $eq: waId } }).lean<ContactDoc>());
    },
    async findByE164(e164) {
      if (stringKey(e164) === undefined) return null;
      return toContact(await model.findOne({ e164: { $eq: e164 } }).lean<ContactDoc>());
    },
    async findByNamePrefix(prefix, limit) {
      const text = stringKey(prefix);
      if (!text) return [];
      // Typed by a person: every regex character is escaped, so it matches literally.
      const pattern = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i');
      const docs = await model.find({ name: trusted({ $regex: pattern }) }).sort({ name: 1 }).limit(limit).lean<ContactDoc[]>();
      return docs.map((d) => toContact(d)!);
    },
    countSegment(segment) {
      return model.countDocuments(segmentFilter(segment) as never);
    },
    async *streamSegment(segment) {
      for await (const doc of model.find(segmentFilter(segment) as never).sort({ _id: 1 }).lean<ContactDoc[]>().cursor()) yield toContact(doc as ContactDoc)!;
    },
    async consentTotals() {
      const rows = await model.aggregate<{ _id: ConsentStatus; n: number }>([{ $group: { _id: '$consent.status', n: { $sum: 1 } } }]);
      return Object.fromEntries(rows.map((r) => [r._id, r.n]));
    },
    async labelCounts() {
      const rows = await model.aggregate<{ _id: string; n: number }>([{ $unwind: '$labels' }, { $group: { _id: '$labels', n: { $sum: 1 } } }]);
      return new Map(rows.map((r) => [r._id, r.n]));
    },
    async findBySlackThread(channel, threadTs) {
      if (stringKey(channel) === undefined || stringKey(threadTs) === undefined) return null;
      return toContact(await model.findOne({ 'slack.channel': { $eq: channel }, 'slack.threadTs': { $eq: threadTs } }).lean<ContactDoc>());
    },
    async setSlackConversation(waId, conversation: SlackConversation) {
      await model.updateOne({ waId: { $eq: waId }, slack: trusted({ $exists: false }) }, { $set: { slack: conversation } });
      return this.findByWaId(waId);
    },
    async setConsent(waId, consent: Consent) {
      return byWaId(waId, { $set: { consent } });
    },
    async addLabels(waId, labels) {
      return byWaId(waId, { $addToSet: { labels: { $each: labels } } });
    },
    async removeLabels(waId, labels) {
      return byWaId(waId, { $pull: { labels: { $in: labels } } });
    },
    async erase(waId, at, by) {
      if (stringKey(waId) === undefined) return;
      await suppressions.suppress(waId, { reason: 'erased', at, ...(by ? { by } : {}) });
      await model.deleteOne({ waId: { $eq: waId } });
    },
    async twinsOf(contact) {
      const either = [
        ...(contact.aliasWaId && stringKey(contact.aliasWaId) !== undefined ? [{ waId: { $eq: contact.aliasWaId } }] : []),
        ...(stringKey(contact.waId) !== undefined ? [{ aliasWaId: { $eq: contact.waId } }] : []),
      ];
      if (either.length === 0) return [];
      const docs = await model.find({ $or: either }).lean<ContactDoc[]>();
      return docs.map((d) => toContact(d)!).filter((c) => c.waId !== contact.waId);
    },
    async linkAlias(waId, alias) {
      if (stringKey(waId) === undefined || stringKey(alias) === undefined) return;
      await model.updateOne({ waId: { $eq: waId } }, { $set: { aliasWaId: alias } });
    },
    async erasedAt(waIds) {
      const found = await suppressions.lookup(waIds);
      return new Map([...found].flatMap(([waId, s]) => (s.reason === 'erased' ? [[waId, s.at] as const] : [])));
    },
    async suppress(waId, entry) {
      await suppressions.suppress(waId, entry);
    },
    async suppressionOf(waId) {
      return (await suppressions.lookup([waId])).get(waId);
    },
    async latestInboundAt() {
      // Descending, a missing date sorts last: the first document has the newest, if any has one.
      const doc = await model.findOne({}, { lastInboundAt: 1 }).sort({ lastInboundAt: -1 }).lean<{ lastInboundAt?: Date }>();
      return doc?.lastInboundAt ?? undefined;
    },
    async removeLabelEverywhere(label) {
      const res = await model.updateMany({ labels: { $eq: label } }, { $pull: { labels: label } });
      return res.modifiedCount;
    },
    async renameLabelEverywhere(from, to) {
      if (stringKey(from) === undefined || stringKey(to) === undefined) return 0;
      // One round trip, in order: a contact that already carries the new name (an older label of
      // that name) just loses the old one; everyone else gets the new name in the old one's place.
      const res = await model.bulkWrite(
        [
          { updateMany: { filter: { $and: [{ labels: { $eq: from } }, { labels: { $eq: to } }] }, update: { $pull: { labels: from } } } },
          { updateMany: { filter: { labels: { $eq: from } }, update: { $set: { 'labels.$[old]': to } }, arrayFilters: [{ old: { $eq: from } }] } },
        ],
        { ordered: true },
      );
      return res.modifiedCount;
    },
    async changeConsent(waId, from, consent: Consent, owedOptOut?: OwedOptOut) {
      // Only the app's own status names reach the $in.
      const statuses = from.filter((status) => CONSENT_STATUSES.includes(status));
      if (stringKey(waId) === undefined || statuses.length === 0) return null;
      const doc = await model
        .findOneAndUpdate({ waId: { $eq: waId }, 'consent.status': trusted({ $in: statuses }) }, { $set: { consent, ...(owedOptOut ? { owedOptOut } : {}) } }, opts)
        .lean<ContactDoc>();
      return toContact(doc);
    },
    async optOutSettled(waId, at) {
      if (stringKey(waId) === undefined) return;
      await model.updateOne({ waId: { $eq: waId }, 'owedOptOut.at': { $eq: at } }, { $unset: { owedOptOut: 1 } });
    },
    async owedOptOuts(before, limit) {
      const docs = await model.find({ 'owedOptOut.at': trusted({ $lte: before }) }).sort({ 'owedOptOut.at': 1 }).limit(limit).lean<ContactDoc[]>();
      return docs.map((d) => toContact(d)!);
    },
  };
}

/** A segment as a filter: every value is the app's own (validated label names, fixed enums). */
function segmentFilter(segment: Segment): Record<string, unknown> {
  return {
    ...(segment.labels.length ? { labels: trusted({ $all: segment.labels.map(String) }) } : {}),
    'activity.status': segment.activity ? { $eq: segment.activity } : trusted({ $ne: 'archived' }),
    ...(segment.optedIn ? { 'consent.status': { $eq: 'opted_in' as const } } : {}),
  };
}
