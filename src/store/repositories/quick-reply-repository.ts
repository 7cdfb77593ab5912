import type { QuickReply, QuickReplyRepository } from '../../domain/quick-reply';
import { AppError } from '../../errors';
import type { Models } from '../models';
import { isDuplicateKey } from './mongo-errors';

type QuickReplyDoc = Omit<QuickReply, 'id'> & { _id: { toString(): string } };
const toQuickReply = ({ _id, ...rest }: QuickReplyDoc): QuickReply => ({ ...rest, id: _id.toString() }) as QuickReply;

export function createQuickReplyRepository(models: Models): QuickReplyRepository {
  const { QuickReply: model } = models;
  return {
    async create(input) {
      try {
        const doc = await model.create(input);
        return toQuickReply(doc.toObject() as QuickReplyDoc);
      } catch (err) {
        if (isDuplicateKey(err)) {
          throw new AppError('QUICK_REPLY_EXISTS', `A quick reply \`${input.shortcut}\` already exists.`);
        }
        throw err;
      }
    },
    async findByShortcut(shortcut) {
      const doc = await model.findOne({ shortcut: { $eq: shortcut } }).lean<QuickReplyDoc>();
      return doc ? toQuickReply(doc) : null;
    },
    async list() {
      return (await model.find().sort({ shortcut: 1 }).lean<QuickReplyDoc[]>()).map(toQuickReply);
    },
    async update(shortcut, body) {
      const doc = await model
        .findOneAndUpdate({ shortcut: { $eq: shortcut } }, { $set: { body } }, { returnDocument: 'after' })
        .lean<QuickReplyDoc>();
      return doc ? toQuickReply(doc) : null;
    },
    async remove(shortcut) {
      return (await model.deleteOne({ shortcut: { $eq: shortcut } })).deletedCount === 1;
    },
    async incrementUsage(shortcut) {
      await model.updateOne({ shortcut: { $eq: shortcut } }, { $inc: { usageCount: 1 } });
    },
  };
}
