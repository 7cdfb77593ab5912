import type { Clock } from '../../clock';
import type { Models } from '../models';
import { stringKey } from './filter-values';

export interface StoredMedia {
  mimetype: string;
  filename?: string;
  size: number;
  data: Buffer;
}

/** Media bytes held in the store until delivered, so a restart between download and upload loses nothing. */
export interface MediaRepository {
  save(media: StoredMedia): Promise<string>;
  load(id: string): Promise<StoredMedia | null>;
  remove(id: string): Promise<void>;
}

export function createMediaRepository(models: Models, clock: Clock): MediaRepository {
  const { Media: model } = models;
  return {
    async save(media) {
      const doc = await model.create({ ...media, createdAt: clock() });
      return doc._id.toString();
    },
    async load(id) {
      if (stringKey(id) === undefined || !/^[0-9a-f]{24}$/.test(id)) return null;
      const doc = await model.findOne({ _id: { $eq: id } }).lean<{ mimetype: string; filename?: string; size: number; data: { buffer: ArrayBuffer } | Buffer }>();
      if (!doc) return null;
      const data = Buffer.isBuffer(doc.data) ? doc.data : Buffer.from((doc.data as { buffer: ArrayBuffer }).buffer);
      return { mimetype: doc.mimetype, filename: doc.filename, size: doc.size, data };
    },
    async remove(id) {
      if (stringKey(id) === undefined || !/^[0-9a-f]{24}$/.test(id)) return;
      await model.deleteOne({ _id: { $eq: id } });
    },
  };
}
