import type { Label, LabelRepository } from '../../domain/label';
import { AppError } from '../../errors';
import type { Models } from '../models';
import { stringKey } from './filter-values';
import { isDuplicateKey } from './mongo-errors';

type LabelDoc = Omit<Label, 'id'> & { _id: { toString(): string } };
const toLabel = ({ _id, ...rest }: LabelDoc): Label => ({ ...rest, id: _id.toString() }) as Label;

export function createLabelRepository(models: Models): LabelRepository {
  const { Label: model } = models;
  return {
    async create(input) {
      try {
        return toLabel((await model.create(input)).toObject() as LabelDoc);
      } catch (err) {
        if (isDuplicateKey(err)) throw new AppError('LABEL_EXISTS', `A label \`${input.name}\` already exists.`);
        throw err;
      }
    },
    async findByName(name) {
      const doc = await model.findOne({ name: { $eq: name } }).lean<LabelDoc>();
      return doc ? toLabel(doc) : null;
    },
    async list() {
      return (await model.find().sort({ name: 1 }).lean<LabelDoc[]>()).map(toLabel);
    },
    async setRoute(name, channel) {
      const update = channel ? { $set: { routeChannel: channel } } : { $unset: { routeChannel: 1 } };
      const doc = await model.findOneAndUpdate({ name: { $eq: name } }, update, { returnDocument: 'after' }).lean<LabelDoc>();
      return doc ? toLabel(doc) : null;
    },
    async rename(from, to) {
      if (stringKey(from) === undefined || stringKey(to) === undefined) return null;
      try {
        const doc = await model.findOneAndUpdate({ name: { $eq: from } }, { $set: { name: to } }, { returnDocument: 'after' }).lean<LabelDoc>();
        return doc ? toLabel(doc) : null;
      } catch (err) {
        // The unique index decides, so two leads renaming onto one name at once cannot both win.
        if (isDuplicateKey(err)) throw new AppError('LABEL_EXISTS', `A label \`${to}\` already exists.`);
        throw err;
      }
    },
    async remove(name) {
      return (await model.deleteOne({ name: { $eq: name } })).deletedCount === 1;
    },
  };
}
