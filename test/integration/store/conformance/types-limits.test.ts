import { Binary, Decimal128, Long, ObjectId, type Document } from 'mongodb';
import { Schema } from 'mongoose';
import { advanceStandinClock, useTestDb } from '../../../support/mongo';
import { freshCollection, rejection } from './helpers';

const SIXTEEN_MB = 16 * 1024 * 1024;

/** Conformance: BSON types round trip, the 16 MB limit, TTL expiry and mongoose's sanitizeFilter. */
describe('conformance: types and limits', () => {
  const t = useTestDb();

  it('when BSON types are stored, then Date, ObjectId, Decimal128, Binary, booleans and null round-trip', async () => {
    const c = freshCollection(t);
    const doc = {
      _id: new ObjectId(),
      at: new Date('2026-11-25T10:11:12.345Z'),
      price: Decimal128.fromString('12345.6789'),
      blob: new Binary(Buffer.from([0, 1, 2, 255])),
      flag: false,
      nothing: null,
      nested: { list: [1, 'two', { three: 3 }] },
    };
    await c.insertOne(doc);
    const back = (await c.findOne({ _id: doc._id })) as Document;
    expect(back.at).toEqual(doc.at);
    expect(back.price).toBeInstanceOf(Decimal128);
    expect(back.price.toString()).toBe('12345.6789');
    expect(Buffer.from((back.blob as Binary).buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect([back.flag, back.nothing, back.nested]).toEqual([false, null, doc.nested]);
  });

  it('when a Long beyond 2^53 is stored, then it comes back exact', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'l' as never, big: Long.fromString('9223372036854775807') });
    const back = (await c.findOne({ _id: 'l' as never }, { promoteLongs: false })) as Document;
    expect(String(back.big)).toBe('9223372036854775807');
  });

  it('when querying by ObjectId and by a date range, then the right documents match', async () => {
    const c = freshCollection(t);
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    await c.insertMany(ids.map((_id, i) => ({ _id, at: new Date(Date.UTC(2026, 0, 1 + i)) })));
    expect((await c.findOne({ _id: new ObjectId(ids[1]!.toHexString()) }))?._id).toEqual(ids[1]);
    const range = await c.find({ at: { $gte: new Date(Date.UTC(2026, 0, 2)), $lt: new Date(Date.UTC(2026, 0, 4)) } }).toArray();
    expect(range.map((d) => d._id)).toEqual([ids[1], ids[2]]);
  });

  it('when a document over 16 MB is inserted, then it is refused and nothing is stored', async () => {
    const c = freshCollection(t);
    const err = await rejection(c.insertOne({ big: 'x'.repeat(SIXTEEN_MB + 1024) }));
    expect(String(err.message)).toMatch(/size|large|exceed/i);
    expect(await c.countDocuments()).toBe(0);
  });

  it('when an update would grow a document past 16 MB, then it is refused and the document is unchanged', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'g' as never, part: 'y'.repeat(9 * 1024 * 1024) });
    const err = await rejection(c.updateOne({ _id: 'g' as never }, { $set: { more: 'z'.repeat(9 * 1024 * 1024) } }));
    expect(String(err.message)).toMatch(/size|large|exceed/i);
    const back = (await c.findOne({ _id: 'g' as never }, { projection: { more: 1 } })) as Document;
    expect(back.more).toBeUndefined();
  });

  it(
    'when a TTL index is set, then expired documents are deleted and unexpired ones stay',
    async () => {
      const c = freshCollection(t);
      await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      if (t.isStandin) {
        // The stand-in's clock can be moved (a test-only command), so expiry is exact and instant.
        const now = Date.now();
        await c.insertMany([{ k: 'soon', expiresAt: new Date(now + 60_000) }, { k: 'later', expiresAt: new Date(now + 3_600_000) }]);
        await advanceStandinClock(t.client, 5 * 60_000);
      } else {
        // A real mongod's TTL monitor runs every 60 s and its clock cannot be moved: poll, bounded.
        await c.insertMany([{ k: 'soon', expiresAt: new Date(Date.now() - 1000) }, { k: 'later', expiresAt: new Date(Date.now() + 3_600_000) }]);
        for (let i = 0; i < 75 && (await c.countDocuments({ k: 'soon' })) > 0; i++) await new Promise((r) => setTimeout(r, 1000));
      }
      expect((await c.find().toArray()).map((d) => d.k)).toEqual(['later']);
    },
    90_000,
  );

  it('when mongoose sanitizeFilter is on, then an operator object from user input matches nothing', async () => {
    // Mixed, so mongoose's casting does not reject the object first: the wrapped filter reaches the server.
    const Model = t.mongoose.model(`S${Date.now()}`, new Schema({ name: Schema.Types.Mixed, secret: String }));
    await Model.create([{ name: 'ana', secret: 'a' }, { name: 'bob', secret: 'b' }]);
    const userInput = JSON.parse('{"$gt": ""}') as unknown;
    expect(await Model.find({ name: userInput }).setOptions({ sanitizeFilter: true }).countDocuments()).toBe(0);
    // The same object unsanitized (the raw driver) would have matched every document.
    expect(await t.db.collection(Model.collection.collectionName).countDocuments({ name: userInput })).toBe(2);
  });

  it('when a filter is marked trusted, then sanitizeFilter lets its operators through', async () => {
    const { trusted } = await import('mongoose');
    const Model = t.mongoose.model(`T${Date.now()}`, new Schema({ n: Number }));
    await Model.create([{ n: 1 }, { n: 5 }]);
    expect(await Model.find({ n: trusted({ $gt: 2 }) }).setOptions({ sanitizeFilter: true }).countDocuments()).toBe(1);
  });
});
