import { useTestDb } from '../../../support/mongo';
import { freshCollection, rejection } from './helpers';

/** Conformance: basic reads and writes through the official driver. Valid against any MongoDB. */
describe('conformance: CRUD', () => {
  const t = useTestDb();

  it('when documents are inserted without _id, then each gets an ObjectId and reads back unchanged', async () => {
    const c = freshCollection(t);
    const res = await c.insertMany([{ a: 1, s: 'x' }, { a: 2, nested: { b: [1, 2] } }]);
    expect(res.insertedCount).toBe(2);
    const docs = await c.find({}, { projection: { _id: 0 } }).sort({ a: 1 }).toArray();
    expect(docs).toEqual([{ a: 1, s: 'x' }, { a: 2, nested: { b: [1, 2] } }]);
    expect((await c.findOne({ a: 1 }))?._id?.constructor.name).toBe('ObjectId');
  });

  it('when an ordered insertMany hits a duplicate, then it stops there and reports that index', async () => {
    const c = freshCollection(t);
    const err = await rejection(c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[]));
    expect(err.code).toBe(11000);
    expect(err.writeErrors.map((e: { index: number }) => e.index)).toEqual([1]);
    expect(await c.countDocuments()).toBe(1);
  });

  it('when an unordered insertMany hits duplicates, then it inserts the rest and reports each failed index', async () => {
    const c = freshCollection(t);
    const err = await rejection(c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false }));
    expect(err.writeErrors.map((e: { index: number }) => e.index)).toEqual([1, 3]);
    expect(await c.countDocuments()).toBe(3);
  });

  it('when projecting, then inclusion, exclusion and _id suppression behave as documented', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'p' as never, a: 1, b: 2, c: { d: 3, e: 4 } });
    expect(await c.findOne({}, { projection: { a: 1 } })).toEqual({ _id: 'p', a: 1 });
    expect(await c.findOne({}, { projection: { b: 0, 'c.e': 0 } })).toEqual({ _id: 'p', a: 1, c: { d: 3 } });
    expect(await c.findOne({}, { projection: { _id: 0, 'c.d': 1 } })).toEqual({ c: { d: 3 } });
  });

  it('when sorting on two keys, then the second breaks ties and descending reverses', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ g: 'b', n: 1 }, { g: 'a', n: 2 }, { g: 'b', n: 3 }, { g: 'a', n: 1 }]);
    const docs = await c.find({}, { projection: { _id: 0 } }).sort({ g: 1, n: -1 }).toArray();
    expect(docs).toEqual([{ g: 'a', n: 2 }, { g: 'a', n: 1 }, { g: 'b', n: 3 }, { g: 'b', n: 1 }]);
  });

  it('when sorting ascending over null, missing and numbers, then null and missing come first', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ k: 1, v: 2 }, { k: 2 }, { k: 3, v: null }, { k: 4, v: 1 }]);
    const order = (await c.find().sort({ v: 1, k: 1 }).toArray()).map((d) => d.k);
    expect(order).toEqual([2, 3, 4, 1]);
  });

  it('when skip and limit are given, then the window of the sorted result comes back', async () => {
    const c = freshCollection(t);
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    const docs = await c.find().sort({ i: -1 }).skip(2).limit(3).toArray();
    expect(docs.map((d) => d.i)).toEqual([7, 6, 5]);
  });

  it('when updating, then matched and modified counts distinguish a no-op', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ k: 1, v: 'a' }, { k: 1, v: 'b' }, { k: 2, v: 'a' }]);
    const many = await c.updateMany({ k: 1 }, { $set: { v: 'a' } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 1]);
    const none = await c.updateOne({ k: 9 }, { $set: { v: 'z' } });
    expect([none.matchedCount, none.modifiedCount, none.upsertedCount]).toEqual([0, 0, 0]);
  });

  it('when replacing a document, then only _id survives from the old one', async () => {
    const c = freshCollection(t);
    const { insertedId } = await c.insertOne({ a: 1, b: 2 });
    await c.replaceOne({ _id: insertedId }, { c: 3 });
    expect(await c.findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
  });

  it('when deleting, then deleteOne removes one match and deleteMany all of them', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });

  it('when findOneAndUpdate runs, then returnDocument chooses before or after and sort picks the document', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ q: 'due', at: 3 }, { q: 'due', at: 1 }, { q: 'due', at: 2 }]);
    const before = await c.findOneAndUpdate({ q: 'due' }, { $set: { q: 'taken' } }, { sort: { at: 1 }, returnDocument: 'before' });
    expect(before).toMatchObject({ q: 'due', at: 1 });
    const after = await c.findOneAndUpdate({ q: 'due' }, { $set: { q: 'taken' } }, { sort: { at: -1 }, returnDocument: 'after', projection: { _id: 0 } });
    expect(after).toEqual({ q: 'taken', at: 3 });
  });

  it('when findOneAndUpdate upserts, then the new document is returned with the filter fields', async () => {
    const c = freshCollection(t);
    const doc = await c.findOneAndUpdate({ name: 'x' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    expect(doc).toMatchObject({ name: 'x', n: 1 });
    expect(await c.countDocuments()).toBe(1);
  });

  it('when findOneAndDelete and findOneAndReplace run, then they return the old document', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ k: 1 }, { k: 2 }]);
    expect(await c.findOneAndDelete({ k: 1 }, { projection: { _id: 0 } })).toEqual({ k: 1 });
    expect(await c.findOneAndReplace({ k: 2 }, { k: 3 }, { projection: { _id: 0 } })).toEqual({ k: 2 });
    expect(await c.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ k: 3 }]);
  });

  it('when a bulkWrite mixes operations, then the result counts each kind', async () => {
    const c = freshCollection(t);
    const res = await c.bulkWrite([
      { insertOne: { document: { k: 1 } } },
      { insertOne: { document: { k: 2 } } },
      { updateOne: { filter: { k: 1 }, update: { $set: { v: true } } } },
      { updateOne: { filter: { k: 9 }, update: { $set: { v: true } }, upsert: true } },
      { deleteOne: { filter: { k: 2 } } },
    ]);
    expect([res.insertedCount, res.matchedCount, res.modifiedCount, res.upsertedCount, res.deletedCount]).toEqual([2, 1, 1, 1, 1]);
  });

  it('when an unordered bulkWrite has a failing statement, then the others apply and the error names its index', async () => {
    const c = freshCollection(t);
    const err = await rejection(
      c.bulkWrite(
        [{ insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 2 } } }] as never[],
        { ordered: false },
      ),
    );
    expect(err.writeErrors.map((e: { index: number }) => e.index)).toEqual([1]);
    expect(await c.countDocuments()).toBe(2);
  });

  it('when counting and listing distinct values, then filters apply and array elements count separately', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ tags: ['a', 'b'], n: 1 }, { tags: ['b', 'c'], n: 2 }, { tags: 'a', n: 3 }, { n: 4 }]);
    expect(await c.countDocuments({ n: { $gte: 2 } })).toBe(3);
    expect(await c.estimatedDocumentCount()).toBe(4);
    expect((await c.distinct('tags')).sort()).toEqual(['a', 'b', 'c']);
    expect((await c.distinct('tags', { n: { $gt: 1 } })).sort()).toEqual(['a', 'b', 'c']);
  });
});
