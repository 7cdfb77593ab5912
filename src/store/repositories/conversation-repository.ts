import { trusted } from 'mongoose';
import type { Contact } from '../../domain/contact';
import type { ConversationEvent, ConversationRepository, ConversationStatus, InboxView, OwedNotice } from '../../domain/conversation';
import type { Models } from '../models';
import { stringKey } from './filter-values';

type ContactDoc = Omit<Contact, 'id'> & { _id: unknown };

/**
 * The team's queue, kept on the contact documents: every transition is one conditional write
 * whose filter states what must still hold (unassigned, still open, …), so two agents pressing
 * at once cannot both win. Each change also appends a history entry.
 */
export function createConversationRepository(models: Models): ConversationRepository {
  const { Contact: model, ConversationEvent: events } = models;
  const byWaId = (waId: string) => ({ waId: { $eq: waId } });
  const log = (event: ConversationEvent) => events.create(event);

  async function changeStatus(waId: string, to: 'open' | 'resolved' | 'snoozed', actor: string, at: Date, snoozedUntil?: Date, guard: object = {}): Promise<ConversationStatus | null> {
    if (stringKey(waId) === undefined) return null;
    const set: Record<string, unknown> = { 'conversation.status': to };
    const unset: Record<string, 1> = {};
    const min: Record<string, Date> = {};
    if (to === 'resolved') {
      set['conversation.resolvedAt'] = at;
      Object.assign(unset, { 'conversation.snoozedUntil': 1, 'conversation.waitingSince': 1 });
    } else if (to === 'snoozed') {
      // A snoozed conversation keeps `resolvedAt`: snoozing a resolved one is a reminder, not a new cycle.
      set['conversation.snoozedUntil'] = snoozedUntil;
    } else {
      Object.assign(unset, { 'conversation.snoozedUntil': 1, 'conversation.resolvedAt': 1 });
      // Reopened by hand: open, so in the queue by how long it has waited (from now, or from an older unanswered message).
      min['conversation.waitingSince'] = at;
    }
    // Snoozing again moves the time; any other change needs the status to differ.
    const filter = to === 'snoozed' ? { ...byWaId(waId), ...guard } : { ...byWaId(waId), ...guard, 'conversation.status': trusted({ $ne: to }) };
    const update = { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), ...(Object.keys(min).length ? { $min: min } : {}) };
    const before = await model.findOneAndUpdate(filter, update, { returnDocument: 'before' }).lean<ContactDoc>();
    if (!before) return null;
    const from: ConversationStatus = before.conversation?.status ?? 'open';
    await log({ contact: waId, type: 'status', from, to, actor, at });
    const openedAt = before.conversation?.openedAt;
    // One resolution per cycle: `resolvedAt` still set means this cycle was resolved already (then
    // snoozed and woken, say); resolving it again is not a second piece of work.
    const resolvedBefore = before.conversation?.resolvedAt !== undefined && before.conversation.resolvedAt !== null;
    if (to === 'resolved' && openedAt && !resolvedBefore) await log({ contact: waId, type: 'resolution', actor, at, ms: at.getTime() - openedAt.getTime() });
    if (to === 'open' && (from === 'resolved' || resolvedBefore)) {
      // Reopened by hand after a resolution (snoozed since, or not): a new cycle for the timing figures.
      await model.updateOne(byWaId(waId), { $set: { 'conversation.openedAt': at }, $unset: { 'conversation.firstResponseAt': 1 } });
    }
    return from;
  }

  /**
   * A reply answers everything the customer wrote up to it: they wait from their first message
   * after it (not our notices or phone messages), or not at all (a snoozed one then counts from its
   * end). Only a waiting time the reply answered moves: the filter keeps one already after it. The
   * write is conditional on the contact's inbound count as read before the look-up, so a message
   * recorded in between (its `$min` keeps the answered time) makes it miss and look again.
   */
  async function waitAfterAnswer(waId: string, at: Date): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const contact = await model.findOne(byWaId(waId), { inboundSeq: 1, lastInboundAt: 1, 'conversation.waitingSince': 1 }).lean<ContactDoc>();
      const waiting = contact?.conversation?.waitingSince;
      if (!contact || !waiting || waiting > at) return;
      const first = await models.Message.findOne(
        { contactWaId: { $eq: waId }, direction: 'inbound', kind: trusted({ $ne: 'notice' }), fromPhone: trusted({ $ne: true }), createdAt: trusted({ $gt: at }) },
        { createdAt: 1 },
      )
        .sort({ createdAt: 1 })
        .lean<{ createdAt: Date }>();
      // The contact's own count when the message is not stored (yet): its newest is after the reply.
      const last = contact.lastInboundAt;
      const since = first?.createdAt ?? (last && last > at ? last : undefined);
      const seen = typeof contact.inboundSeq === 'number' ? { inboundSeq: { $eq: contact.inboundSeq } } : { inboundSeq: trusted({ $exists: false }) };
      const answered = { ...byWaId(waId), ...seen, 'conversation.waitingSince': trusted({ $lte: at }) };
      const res = await model.updateOne(answered, since ? { $set: { 'conversation.waitingSince': since } } : { $unset: { 'conversation.waitingSince': 1 } });
      if (res.matchedCount > 0) return;
    }
  }

  return {
    async claim(waId, user, at) {
      if (stringKey(waId) === undefined) return { ok: false };
      const taken = await model
        .findOneAndUpdate(
          { ...byWaId(waId), $or: [{ 'conversation.assignee': trusted({ $exists: false }) }, { 'conversation.assignee': { $eq: user } }] },
          { $set: { 'conversation.assignee': user } },
          { returnDocument: 'before' },
        )
        .lean<ContactDoc>();
      if (taken) {
        if (taken.conversation?.assignee !== user) await log({ contact: waId, type: 'assignee', to: user, actor: user, at });
        return { ok: true };
      }
      const current = await model.findOne(byWaId(waId), { 'conversation.assignee': 1 }).lean<ContactDoc>();
      return { ok: false, holder: current?.conversation?.assignee };
    },

    async assign(waId, user, actor, at) {
      if (stringKey(waId) === undefined) return null;
      const update = user ? { $set: { 'conversation.assignee': user } } : { $unset: { 'conversation.assignee': 1 } };
      const before = await model.findOneAndUpdate(byWaId(waId), update, { returnDocument: 'before' }).lean<ContactDoc>();
      if (!before) return null;
      const previous = before.conversation?.assignee;
      if (previous !== user) await log({ contact: waId, type: 'assignee', ...(previous ? { from: previous } : {}), ...(user ? { to: user } : {}), actor, at });
      return { previous };
    },

    setStatus(waId, to, actor, at, snoozedUntil) {
      return changeStatus(waId, to, actor, at, snoozedUntil);
    },

    async resolveIfSeen(waId, actor, at, seenInboundSeq) {
      if (stringKey(waId) === undefined) return null;
      // No message from the customer recorded since what the agent could see: one recorded since
      // (its post still on its way to the thread) makes the write miss, and the agent is told. A
      // count, not a time: WhatsApp stamps to the second, and a catch-up's messages are older.
      const seen = typeof seenInboundSeq === 'number' ? { inboundSeq: { $eq: seenInboundSeq } } : { inboundSeq: trusted({ $exists: false }) };
      const from = await changeStatus(waId, 'resolved', actor, at, undefined, seen);
      if (from !== null) return from;
      const now = await model.findOne(byWaId(waId), { 'conversation.status': 1 }).lean<ContactDoc>();
      return now && now.conversation?.status !== 'resolved' ? 'arriving' : null;
    },

    async agentReplied(waId, at) {
      if (stringKey(waId) === undefined) return false;
      // One atomic write (a pipeline update): open → pending when it answered everything before it
      // (a message the customer sent after the reply keeps them waiting); other states keep theirs.
      const answeredAll = { $or: [{ $eq: [{ $type: '$lastInboundAt' }, 'missing'] }, { $lte: ['$lastInboundAt', at] }] };
      const becomesPending = { $and: [{ $eq: ['$conversation.status', 'open'] }, answeredAll] };
      const before = await model
        .findOneAndUpdate(
          { ...byWaId(waId), 'conversation.status': trusted({ $exists: true }) },
          [
            // Judged once, on the document as it was (fields set in one stage must not see each other's new values).
            { $set: { _answers: becomesPending } },
            {
              $set: {
                lastOutboundAt: at,
                'conversation.firstResponseAt': { $min: ['$conversation.firstResponseAt', at] },
                'conversation.status': { $cond: ['$_answers', 'pending', '$conversation.status'] },
                'conversation.waitingSince': { $cond: ['$_answers', '$$REMOVE', '$conversation.waitingSince'] },
              },
            },
            { $unset: '_answers' },
          ],
          { returnDocument: 'before', updatePipeline: true },
        )
        .lean<ContactDoc>();
      const lastInbound = before?.lastInboundAt;
      const becamePending = before?.conversation?.status === 'open' && (!lastInbound || lastInbound <= at);
      if (becamePending) await log({ contact: waId, type: 'status', from: 'open', to: 'pending', actor: 'system', at });
      else {
        // Only a waiting time this reply answered needs moving (none, or a later one, stays).
        const waiting = before?.conversation?.waitingSince;
        if (waiting && waiting <= at) await waitAfterAnswer(waId, at);
      }
      const c = before?.conversation;
      if (c && !c.firstResponseAt && c.openedAt) await log({ contact: waId, type: 'first_response', actor: 'system', at, ms: Math.max(0, at.getTime() - c.openedAt.getTime()) });
      return becamePending;
    },

    async wakeSnoozed(now) {
      const due = await model
        .find({ 'conversation.status': 'snoozed', 'conversation.snoozedUntil': trusted({ $lte: now }) }, { waId: 1, 'conversation.assignee': 1 })
        .lean<ContactDoc[]>();
      const woken: Array<{ waId: string; notice: OwedNotice }> = [];
      for (const doc of due) {
        const notice: OwedNotice = { event: 'snooze_ended', ...(doc.conversation?.assignee ? { assignee: doc.conversation.assignee } : {}), at: now };
        // One by one and conditionally: an agent may have reopened or re-snoozed it meanwhile. The
        // notice is owed in the same write, so a crash right after cannot end the snooze silently.
        const res = await model.updateOne(
          { ...byWaId(doc.waId), 'conversation.status': 'snoozed', 'conversation.snoozedUntil': trusted({ $lte: now }) },
          // Open again: in the queue by how long the customer has waited (from now, or an older unanswered message).
          { $set: { 'conversation.status': 'open', 'conversation.owedNotice': notice }, $unset: { 'conversation.snoozedUntil': 1 }, $min: { 'conversation.waitingSince': now } },
        );
        if (res.modifiedCount !== 1) continue;
        await log({ contact: doc.waId, type: 'status', from: 'snoozed', to: 'open', actor: 'system', at: now });
        woken.push({ waId: doc.waId, notice });
      }
      return woken;
    },

    async owedNotices(before, limit) {
      const docs = await model
        .find({ 'conversation.owedNotice.at': trusted({ $lt: before }) }, { waId: 1, 'conversation.owedNotice': 1 })
        .sort({ 'conversation.owedNotice.at': 1 })
        .limit(limit)
        .lean<ContactDoc[]>();
      return docs.flatMap((d) => (d.conversation?.owedNotice ? [{ waId: d.waId, notice: d.conversation.owedNotice }] : []));
    },

    async noticeRecorded(waId, at) {
      if (stringKey(waId) === undefined) return;
      await model.updateOne({ ...byWaId(waId), 'conversation.owedNotice.at': { $eq: at } }, { $unset: { 'conversation.owedNotice': 1 } });
    },

    async list(view: InboxView, user, page, pageSize) {
      const filter: Record<string, unknown> =
        view === 'mine'
          ? { 'conversation.assignee': { $eq: user }, 'conversation.status': trusted({ $in: ['open', 'pending', 'snoozed'] }) }
          : view === 'unassigned'
            ? { 'conversation.assignee': trusted({ $exists: false }), 'conversation.status': trusted({ $in: ['open', 'pending'] }) }
            : { 'conversation.status': { $eq: view } };
      // Open conversations first (the customer is waiting on us), the longest waiting first; then the
      // rest (pending, snoozed) by when their cycle began. A missing date would sort first in a plain sort.
      const [total, docs] = await Promise.all([
        model.countDocuments(filter),
        model.aggregate<ContactDoc>([
          { $match: filter },
          {
            $addFields: {
              queueRank: { $cond: [{ $eq: ['$conversation.status', 'open'] }, 0, 1] },
              queueSince: { $ifNull: ['$conversation.waitingSince', '$conversation.openedAt'] },
            },
          },
          { $sort: { queueRank: 1, queueSince: 1, _id: 1 } },
          { $skip: page * pageSize },
          { $limit: pageSize },
          { $project: { waId: 1, name: 1, e164: 1, conversation: 1, slack: 1 } },
        ]),
      ]);
      return { total, items: docs.map((d) => ({ waId: d.waId, name: d.name, e164: d.e164, conversation: d.conversation!, slack: d.slack })) };
    },

    async counts() {
      const [open, unassigned, pending] = await Promise.all([
        model.countDocuments({ 'conversation.status': 'open' }),
        model.countDocuments({ 'conversation.status': trusted({ $in: ['open', 'pending'] }), 'conversation.assignee': trusted({ $exists: false }) }),
        model.countDocuments({ 'conversation.status': 'pending' }),
      ]);
      return { open, unassigned, pending };
    },

    async medianMs(type, from, to) {
      // A report's period is (from, to], as its other figures; without `to`: everything since `from`.
      const at = trusted(to ? { $gt: from, $lte: to } : { $gte: from });
      const rows = await events.find({ type: { $eq: type }, at }, { ms: 1 }).sort({ ms: 1 }).lean<Array<{ ms: number }>>();
      if (rows.length === 0) return undefined;
      const mid = Math.floor(rows.length / 2);
      return rows.length % 2 ? rows[mid]!.ms : Math.round((rows[mid - 1]!.ms + rows[mid]!.ms) / 2);
    },

    async history(waId, limit) {
      if (stringKey(waId) === undefined) return [];
      return events.find({ contact: { $eq: waId } }).sort({ at: -1, _id: -1 }).limit(limit).lean<ConversationEvent[]>();
    },
  };
}
