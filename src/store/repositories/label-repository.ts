import { byRoutePriority, type Label, type LabelRepository } from '../../domain/label';
import { trusted } from 'mongoose';
import { AppError } from '../../errors';
import type { Models } from '../models';
import { stringKey } from './filter-values';
import { isDuplicateKey } from './mongo-errors';

type LabelDoc = Omit<Label, 'id'> & { _id: { toString(): string } };
const toLabel = ({ _id, ...rest }: LabelDoc): Label => ({ ...rest, id: _id.toString() }) as Label;

export function createLabelRepository(models: Models): LabelRepository {
  const { Label: model } = models;
  /** The highest route priority in use (0 when none): a route set without one goes after it. */
  async function lastPriority(): Promise<number> {
    const top = await model.findOne({ routePriority: trusted({ $exists: true }) }).sort({ routePriority: -1 }).lean<LabelDoc>();
    return top?.routePriority ?? 0;
  }
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
    async setRoute(name, channel, priority) {
      let update: Record<string, unknown> = { $unset: { routeChannel: 1, routePriority: 1 } };
      if (channel) {
        const own = priority ?? (await model.findOne({ name: { $eq: name } }).lean<LabelDoc>())?.routePriority;
        update = { $set: { routeChannel: channel, routePriority: own ?? (await lastPriority()) + 1 } };
      }
      const doc = await model.findOneAndUpdate({ name: { $eq: name } }, update, { returnDocument: 'after' }).lean<LabelDoc>();
      return doc ? toLabel(doc) : null;
    },
    async routesAmong(names) {
      const wanted = names.filter((n) => stringKey(n) !== undefined);
      if (!wanted.length) return [];
      const docs = await model.find({ name: trusted({ $in: wanted }), routeChannel: trusted({ $exists: true }) }).lean<LabelDoc[]>();
      return docs.map(toLabel).sort(byRoutePriority);
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
