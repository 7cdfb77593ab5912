import { trusted } from 'mongoose';
import type { BroadcastOutcomeQueries, ContactEvent, SentCopy } from '../../broadcast/summary';
import type { DeliveryState } from '../../domain/message';
import type { Models } from '../models';

/** What a finished broadcast led to, one query per kind over lists of ids (never one per recipient). */
export interface BroadcastOutcomes extends BroadcastOutcomeQueries {
  /** The delivery state of each of these outbound messages (a recipient's copy). */
  deliveryStates(messageIds: string[]): Promise<Map<string, DeliveryState>>;
  /** The WhatsApp names of these contacts, those that have one (one query for a page of the export). */
  namesOf(waIds: string[]): Promise<Map<string, string>>;
}

export function createBroadcastOutcomes(models: Models): BroadcastOutcomes {
  const { Message: messages, ConsentEvent: ledger } = models;
  const strings = (ids: string[]) => ids.filter((id) => typeof id === 'string');
  return {
    async sentCopies(broadcastId) {
      const docs = await messages
        .find({ direction: 'outbound', broadcastId: { $eq: String(broadcastId) }, sentAt: trusted({ $exists: true }) }, { _id: 0, contactWaId: 1, sentAt: 1 })
        .lean<SentCopy[]>();
      return docs;
    },
    async inboundAfter(contactWaIds, since) {
      if (contactWaIds.length === 0) return [];
      const docs = await messages
        .find(
          { direction: 'inbound', contactWaId: trusted({ $in: strings(contactWaIds) }), createdAt: trusted({ $gt: since }), kind: trusted({ $ne: 'notice' }), fromPhone: trusted({ $ne: true }) },
          { _id: 0, contactWaId: 1, createdAt: 1 },
        )
        .lean<Array<{ contactWaId: string; createdAt: Date }>>();
      return docs.map((d): ContactEvent => ({ contact: d.contactWaId, at: d.createdAt }));
    },
    async optOutsAfter(contactWaIds, since) {
      if (contactWaIds.length === 0) return [];
      const docs = await ledger
        .find({ type: 'opt_out', contact: trusted({ $in: strings(contactWaIds) }), at: trusted({ $gt: since }) }, { _id: 0, contact: 1, at: 1 })
        .lean<ContactEvent[]>();
      return docs;
    },
    async namesOf(waIds) {
      if (waIds.length === 0) return new Map();
      const docs = await models.Contact.find({ waId: trusted({ $in: strings(waIds) }), name: trusted({ $exists: true }) }, { _id: 0, waId: 1, name: 1 }).lean<Array<{ waId: string; name: string }>>();
      return new Map(docs.map((d) => [d.waId, d.name]));
    },
    async deliveryStates(messageIds) {
      const ids = messageIds.filter((id) => /^[0-9a-f]{24}$/.test(id));
      if (ids.length === 0) return new Map();
      const docs = await messages.find({ _id: trusted({ $in: ids }) }, { 'delivery.state': 1, withdrawn: 1 }).lean<Array<{ _id: { toString(): string }; delivery: { state: DeliveryState } }>>();
      return new Map(docs.map((d) => [d._id.toString(), d.delivery.state]));
    },
  };
}
