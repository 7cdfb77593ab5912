import { trusted } from 'mongoose';
import type { DeliveryState, MessageRepository, StoredMessage } from '../../domain/message';
import type { Models } from '../models';
import { stringKey } from './filter-values';
import { isDuplicateKey } from './mongo-errors';
import { queueMethods, toStoredMessage, UNFINISHED, type MessageDoc } from './message-queue';

/** Not due until released: a message whose steps are owed waits for them, however long that takes. */
const HELD = new Date('9999-12-31T00:00:00Z');
/** Acks only move delivery forward: a late "delivered" never overwrites "read". */
const ACK_ORDER: Record<string, number> = { sending: 0, sent: 1, delivered: 2, read: 3 };

export function createMessageRepository(models: Models): MessageRepository {
  const { Message: model } = models;
  const findByWaMessageId = async (waMessageId: string) => {
    if (stringKey(waMessageId) === undefined) return null;
    const doc = await model.findOne({ waMessageId: { $eq: waMessageId } }).lean<MessageDoc>();
    return doc ? toStoredMessage(doc) : null;
  };
  const setById = (id: string, set: object, unset?: object) =>
    model.updateOne({ _id: { $eq: id } }, { $set: set, ...(unset ? { $unset: unset } : {}) }).then(() => undefined);

  /** Inserts; a unique-key clash means this is a repeat of a row that exists: hand that one back. */
  async function insertOnce(doc: object, existing: () => Promise<StoredMessage | null>) {
    try {
      // The hot path of every message: the document is built here, typed, so mongoose's per-document
      // hydration and validation are skipped (`lean`); undefined fields are left out as usual.
      const [created] = await model.insertMany([withoutUndefined(doc)], { lean: true });
      return { message: toStoredMessage(created as unknown as MessageDoc), duplicate: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const found = await existing();
      if (!found) throw err;
      return { message: found, duplicate: true };
    }
  }

  return {
    findByWaMessageId,
    async knownWaIds(waMessageIds) {
      const ids = waMessageIds.filter((id) => stringKey(id) !== undefined);
      if (ids.length === 0) return new Set();
      // Only strings reach the $in (checked above), so it may pass the filter sanitizer.
      // A message still owing steps is not "known": a catch-up hands it over again, and its steps get done.
      const docs = await model.find({ waMessageId: trusted({ $in: ids }) }, { waMessageId: 1, steps: 1 }).lean<Array<{ waMessageId: string; steps?: string[] }>>();
      return new Set(docs.filter((d) => !d.steps?.length).map((d) => d.waMessageId));
    },
    recordInbound(message) {
      // The unique index on waMessageId is the dedupe: the first copy wins, later ones are repeats.
      return insertOnce(
        {
          direction: 'inbound',
          waMessageId: message.waMessageId,
          contactWaId: message.contactWaId,
          kind: message.kind,
          body: message.body,
          media: message.media,
          location: message.location,
          vcards: message.vcards,
          quoted: message.quoted,
          pushName: message.pushName,
          fromPhone: message.fromPhone,
          automated: message.automated,
          delivery: { state: 'pending', attempts: 0, nextAttemptAt: message.steps?.length ? HELD : (message.holdUntil ?? message.at) },
          steps: message.steps?.length ? message.steps : undefined,
          createdAt: message.at,
        },
        () => findByWaMessageId(message.waMessageId),
      );
    },
    async recordOutbound(message) {
      const slackKey = message.slack ? `${message.slack.channel}:${message.slack.ts}${message.part ? `#${message.part}` : ''}` : undefined;
      return insertOnce(
        {
          direction: 'outbound',
          contactWaId: message.contactWaId,
          kind: message.media ? 'media' : 'text',
          body: message.body,
          media: message.media,
          purpose: message.purpose,
          via: message.via,
          template: message.template,
          slack: message.slack,
          slackKey,
          agent: message.agent,
          signature: message.signature,
          delivery: { state: message.state, attempts: 0, nextAttemptAt: message.holdUntil ?? message.at, ...(message.reason ? { lastError: message.reason } : {}) },
          createdAt: message.at,
        },
        async () => {
          if (!slackKey) return null;
          const doc = await model.findOne({ slackKey: { $eq: slackKey } }).lean<MessageDoc>();
          return doc ? toStoredMessage(doc) : null;
        },
      );
    },
    ...queueMethods(model),
    release: (id, now, extra = {}) =>
      model
        .updateOne(
          { _id: { $eq: id }, 'delivery.state': 'pending' },
          {
            $set: { 'delivery.nextAttemptAt': now, ...(extra.consentNotice ? { consentNotice: extra.consentNotice } : {}), ...(extra.media ? { media: extra.media } : {}) },
            $unset: { steps: 1 },
          },
        )
        .then(() => undefined),
    async owingSteps(before, limit) {
      const docs = await model
        .find({ steps: trusted({ $in: ['consent', 'media'] }), direction: 'inbound', createdAt: trusted({ $lt: before }) })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<MessageDoc[]>();
      return docs.map(toStoredMessage);
    },
    markPosted: (id, slack) => setById(id, { slack, 'delivery.state': 'sent' }, { 'delivery.claimedUntil': 1, 'delivery.nextAttemptAt': 1, 'delivery.claimToken': 1 }),
    async advanceAck(waMessageId, state) {
      if (stringKey(waMessageId) === undefined) return null;
      const earlier = (state === 'failed' ? ['sending', 'sent'] : Object.keys(ACK_ORDER).filter((s) => ACK_ORDER[s]! < ACK_ORDER[state]!)) as DeliveryState[];
      const doc = await model
        .findOneAndUpdate(
          { waMessageId: { $eq: waMessageId }, direction: 'outbound', 'delivery.state': trusted({ $in: earlier }) },
          { $set: { 'delivery.state': state } },
          { returnDocument: 'after' },
        )
        .lean<MessageDoc>();
      return doc ? toStoredMessage(doc) : null;
    },
    async findBySlackMessage(channel, ts) {
      if (stringKey(channel) === undefined || stringKey(ts) === undefined) return null;
      const doc = await model.findOne({ 'slack.channel': { $eq: channel }, 'slack.ts': { $eq: ts } }).lean<MessageDoc>();
      return doc ? toStoredMessage(doc) : null;
    },
    async recordChange(id, change) {
      const set: Record<string, unknown> = {};
      const unset: Record<string, 1> = {};
      if (change.body !== undefined) set.body = change.body;
      if (change.media !== undefined) set.media = change.media;
      if (change.edited) set.edited = true;
      // A message deleted for everyone keeps no text: the sender took it back.
      if (change.revoked) {
        set.revoked = true;
        Object.assign(unset, { body: 1, quoted: 1, location: 1, vcards: 1 });
      }
      if (change.contactReaction === null) unset.contactReaction = 1;
      else if (change.contactReaction !== undefined) set.contactReaction = change.contactReaction;
      const doc = await model
        .findOneAndUpdate({ _id: { $eq: id } }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { returnDocument: 'after' })
        .lean<MessageDoc>();
      return doc ? toStoredMessage(doc) : null;
    },
    async rewritePending(id, body) {
      const res = await model.updateOne({ _id: { $eq: id }, 'delivery.state': 'pending' }, { $set: { body, edited: true } });
      return res.modifiedCount === 1;
    },
    async cancelPendingForSlack(channel, ts, reason) {
      if (stringKey(channel) === undefined || stringKey(ts) === undefined) return { withdrawn: 0, inFlight: 0 };
      const parts = { direction: 'outbound' as const, 'slack.channel': { $eq: channel }, 'slack.ts': { $eq: ts } };
      // Flag every unfinished part first, in one write: a part that moves between "sending" and
      // "pending" meanwhile carries the flag either way (reschedule and the pre-send check honour it).
      const flagged = await model.updateMany({ ...parts, 'delivery.state': trusted({ $in: UNFINISHED }) }, { $set: { withdrawn: true } });
      const ended = await model.updateMany({ ...parts, withdrawn: true, 'delivery.state': 'pending' }, { $set: { 'delivery.state': 'failed', 'delivery.lastError': reason } });
      return { withdrawn: ended.modifiedCount, inFlight: Math.max(0, flagged.modifiedCount - ended.modifiedCount) };
    },
    async withdrawBroadcast(broadcastId, reason) {
      const copies = { direction: 'outbound' as const, broadcastId: { $eq: broadcastId } };
      // As cancelPendingForSlack: flagged first, so a copy being sent right now is not retried should it fail.
      const flagged = await model.updateMany({ ...copies, 'delivery.state': trusted({ $in: UNFINISHED }) }, { $set: { withdrawn: true } });
      const ended = await model.updateMany({ ...copies, withdrawn: true, 'delivery.state': 'pending' }, { $set: { 'delivery.state': 'failed', 'delivery.lastError': reason } });
      return { withdrawn: ended.modifiedCount, inFlight: Math.max(0, flagged.modifiedCount - ended.modifiedCount) };
    },
    async broadcastCounts(broadcastId) {
      const rows = await model.aggregate<{ _id: { state: DeliveryState; withdrawn?: boolean }; n: number }>([
        { $match: { direction: 'outbound', broadcastId } },
        { $group: { _id: { state: '$delivery.state', withdrawn: '$withdrawn' }, n: { $sum: 1 } } },
      ]);
      const counts: Partial<Record<DeliveryState | 'withdrawn', number>> = {};
      for (const row of rows) {
        const key = row._id.withdrawn && row._id.state === 'failed' ? 'withdrawn' : row._id.state;
        counts[key] = (counts[key] ?? 0) + row.n;
      }
      return counts;
    },
    async eraseContact(contactWaId) {
      if (stringKey(contactWaId) === undefined) return 0;
      const docs = await model.find({ contactWaId: { $eq: contactWaId } }, { media: 1 }).lean<MessageDoc[]>();
      const mediaIds = docs.map((d) => d.media?.storedId).filter((id): id is string => !!id);
      if (mediaIds.length) await models.Media.deleteMany({ _id: trusted({ $in: mediaIds }) });
      const { deletedCount } = await model.deleteMany({ contactWaId: { $eq: contactWaId } });
      return deletedCount;
    },
    async countByState(direction) {
      // A reply withdrawn in Slack (cancelled or deleted) ends as "failed" but failed at nothing: the
      // agent chose it. Left out, so "failed" counts only what needs a look.
      const withdrawn = { 'delivery.state': 'failed', withdrawn: true };
      const rows = await model.aggregate<{ _id: DeliveryState; n: number }>([
        { $match: { direction, $nor: [withdrawn] } },
        { $group: { _id: '$delivery.state', n: { $sum: 1 } } },
      ]);
      return Object.fromEntries(rows.map((r) => [r._id, r.n]));
    },
    async latestOptInRequest(contactWaId, since, answer) {
      if (stringKey(contactWaId) === undefined || stringKey(answer.waMessageId) === undefined) return null;
      const contact = { contactWaId: { $eq: contactWaId } };
      // WhatsApp stamps messages to the second: one written in the second the request went out may be its answer.
      const doc = await model
        .findOne({ ...contact, direction: 'outbound', purpose: 'opt_in_request', createdAt: trusted({ $gte: since }), sentAt: trusted({ $lt: new Date(answer.at.getTime() + 1000) }) })
        .sort({ sentAt: -1 })
        .lean<MessageDoc>();
      if (!doc?.sentAt) return null;
      const sentSecond = new Date(Math.floor(doc.sentAt.getTime() / 1000) * 1000);
      // Anything the contact wrote after it went out (never what they wrote before it was even
      // queued, such as the START that asked for it); our notices and phone messages are not theirs.
      const between = await model.exists({
        ...contact,
        direction: 'inbound',
        createdAt: trusted({ $gt: doc.createdAt, $gte: sentSecond, $lte: answer.at }),
        waMessageId: trusted({ $ne: answer.waMessageId }),
        kind: trusted({ $ne: 'notice' }),
        fromPhone: trusted({ $ne: true }),
      });
      return { request: toStoredMessage(doc), interrupted: between !== null };
    },
    async recordOutboundOnce(message, key) {
      // The unique index on slackKey dedupes any key of ours: prefixed, it cannot clash with a Slack "channel:ts".
      const onceKey = `once:${key}`;
      return insertOnce(
        {
          direction: 'outbound',
          contactWaId: message.contactWaId,
          kind: 'text',
          body: message.body,
          purpose: message.purpose,
          ...(message.broadcastId ? { broadcastId: message.broadcastId } : {}),
          ...(message.template ? { template: message.template } : {}),
          slackKey: onceKey,
          delivery: { state: message.state, attempts: 0, nextAttemptAt: message.at },
          createdAt: message.at,
        },
        async () => {
          const doc = await model.findOne({ slackKey: { $eq: onceKey } }).lean<MessageDoc>();
          return doc ? toStoredMessage(doc) : null;
        },
      );
    },
  };
}

/** Drops undefined fields at every depth: without mongoose's casting, the driver would store them as null. */
function withoutUndefined<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}
