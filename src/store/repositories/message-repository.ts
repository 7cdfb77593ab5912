import type { MessageRepository, StoredMessage } from '../../domain/message';
import type { Models } from '../models';
import { isDuplicateKey } from './mongo-errors';

type MessageDoc = Omit<StoredMessage, 'id'> & { _id: { toString(): string } };

export function toStoredMessage({ _id, ...rest }: MessageDoc): StoredMessage {
  return { ...rest, id: _id.toString() } as StoredMessage;
}

export function createMessageRepository(models: Models): MessageRepository {
  const { Message: model } = models;
  const findByWaMessageId = async (waMessageId: string) => {
    const doc = await model.findOne({ waMessageId: { $eq: waMessageId } }).lean<MessageDoc>();
    return doc ? toStoredMessage(doc) : null;
  };
  return {
    findByWaMessageId,
    async recordInbound(message) {
      try {
        const doc = await model.create({
          direction: 'inbound',
          waMessageId: message.waMessageId,
          contactWaId: message.contactWaId,
          body: message.body,
          media: message.media,
          delivery: { state: 'pending', attempts: 0, nextAttemptAt: message.at },
          createdAt: message.at,
        });
        return { message: toStoredMessage(doc.toObject() as MessageDoc), duplicate: false };
      } catch (err) {
        // The unique index on waMessageId is the dedupe: the first copy won, this one is a repeat.
        if (!isDuplicateKey(err)) throw err;
        const existing = await findByWaMessageId(message.waMessageId);
        if (!existing) throw err;
        return { message: existing, duplicate: true };
      }
    },
  };
}
