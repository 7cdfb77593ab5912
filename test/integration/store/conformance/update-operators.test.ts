import type { Document } from 'mongodb';
import { useTestDb } from '../../../support/mongo';
import { freshCollection, rejection } from './helpers';

/** Conformance: update operators, applied by the server. Valid against any MongoDB. */
describe('conformance: update operators', () => {
  const t = useTestDb();
  const applied = async (start: Document, update: Document | Document[], options: { arrayFilters?: Document[] } = {}) => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'u' as never, ...start });
    await c.updateOne({ _id: 'u' as never }, update, options);
    const { _id, ...rest } = (await c.findOne({ _id: 'u' as never })) as Document;
    return rest;
  };

  it.each<[string, Document, Document, Document]>([
    ['$set on a nested path', { a: 1 }, { $set: { 'b.c': 2 } }, { a: 1, b: { c: 2 } }],
    ['$unset', { a: 1, b: 2 }, { $unset: { b: '' } }, { a: 1 }],
    ['$inc creating the field', { a: 1 }, { $inc: { a: 2, n: 5 } }, { a: 3, n: 5 }],
    ['$min and $max', { lo: 5, hi: 5 }, { $min: { lo: 3 }, $max: { hi: 9 } }, { lo: 3, hi: 9 }],
    ['$mul', { p: 4 }, { $mul: { p: 2.5 } }, { p: 10 }],
    ['$rename', { old: 1 }, { $rename: { old: 'new' } }, { new: 1 }],
    ['$push with $each, $sort and $slice', { s: [5, 1] }, { $push: { s: { $each: [3, 9], $sort: 1, $slice: -3 } } }, { s: [3, 5, 9] }],
    ['$push with $position', { s: [1, 2] }, { $push: { s: { $each: [0], $position: 0 } } }, { s: [0, 1, 2] }],
    ['$addToSet with $each and no duplicates', { s: ['a'] }, { $addToSet: { s: { $each: ['a', 'b', 'b'] } } }, { s: ['a', 'b'] }],
    ['$pull with a condition', { s: [1, 5, 8, 2] }, { $pull: { s: { $gte: 5 } } }, { s: [1, 2] }],
    ['$pullAll', { s: [1, 2, 3, 2] }, { $pullAll: { s: [2, 3] } }, { s: [1] }],
    ['$pop from the front', { s: [1, 2, 3] }, { $pop: { s: -1 } }, { s: [2, 3] }],
    ['the all-positional $[]', { s: [{ n: 1 }, { n: 2 }] }, { $inc: { 's.$[].n': 10 } }, { s: [{ n: 11 }, { n: 12 }] }],
  ])('when applying %s, then the document changes as MongoDB specifies', async (_what, start, update, expected) => {
    expect(await applied(start, update)).toEqual(expected);
  });

  it('when $max compares dates, then the later date wins', async () => {
    const later = new Date('2026-12-01T00:00:00Z');
    expect(await applied({ at: new Date('2026-01-01T00:00:00Z') }, { $max: { at: later } })).toEqual({ at: later });
  });

  it('when $currentDate is used, then the field becomes a date', async () => {
    const doc = await applied({}, { $currentDate: { seen: true } });
    expect(doc.seen).toBeInstanceOf(Date);
  });

  it('when the positional $ is used, then the first matching element changes', async () => {
    const c = freshCollection(t);
    await c.insertOne({ items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 1 }] });
    await c.updateOne({ 'items.sku': 'B' }, { $inc: { 'items.$.qty': 4 } });
    expect((await c.findOne())?.items).toEqual([{ sku: 'A', qty: 1 }, { sku: 'B', qty: 5 }]);
  });

  it('when a filtered positional $[id] is used with arrayFilters, then only matching elements change', async () => {
    const doc = await applied({ s: [{ k: 1, v: 0 }, { k: 2, v: 0 }, { k: 3, v: 0 }] }, { $set: { 's.$[e].v': 1 } }, { arrayFilters: [{ 'e.k': { $gte: 2 } }] });
    expect(doc.s).toEqual([{ k: 1, v: 0 }, { k: 2, v: 1 }, { k: 3, v: 1 }]);
  });

  it('when an upsert inserts, then $setOnInsert and the filter equalities apply; when it updates, $setOnInsert does not', async () => {
    const c = freshCollection(t);
    const first = await c.updateOne({ key: 'k', kind: { $eq: 'x' } }, { $set: { seen: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    await c.updateOne({ key: 'k' }, { $set: { seen: 2 }, $setOnInsert: { created: 'again' } }, { upsert: true });
    const docs = await c.find({}, { projection: { _id: 0 } }).toArray();
    expect(docs).toEqual([{ key: 'k', kind: 'x', seen: 2, created: true }]);
  });

  it('when an update would change _id, then it fails with ImmutableField (66) and nothing changes', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'a' as never, v: 1 });
    const err = await rejection(c.updateOne({ _id: 'a' as never }, { $set: { _id: 'b', v: 2 } as never }));
    expect(err.code).toBe(66);
    expect(await c.findOne({ _id: 'a' as never })).toEqual({ _id: 'a', v: 1 });
  });

  it('when an update is a pipeline, then it can compute from other fields', async () => {
    expect(await applied({ a: 2, b: 3 }, [{ $set: { c: { $add: ['$a', '$b'] } } }])).toEqual({ a: 2, b: 3, c: 5 });
  });

  it('when one $set stage sets several fields, then each is computed from the document as it was, not from the others\' new values', async () => {
    const update = [{ $set: { 'c.s': 'done', 'c.w': { $cond: [{ $eq: ['$c.s', 'open'] }, '$$REMOVE', '$c.w'] } } }];
    expect(await applied({ c: { s: 'open', w: 1 } }, update)).toEqual({ c: { s: 'done' } });
  });

  it('when an unknown update operator is sent, then the update fails and nothing changes', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 'a' as never, v: 1 });
    const err = await rejection(c.updateOne({ _id: 'a' as never }, { $frobnicate: { v: 2 } } as never));
    expect(err.code).toBeDefined();
    expect(await c.findOne({ _id: 'a' as never })).toEqual({ _id: 'a', v: 1 });
  });

  it('when updateMany changes many documents, then each gets its own result and unchanged ones are not counted', async () => {
    const c = freshCollection(t);
    await c.insertMany([
      { _id: 1 as never, n: 1, tags: ['a', 'b'] },
      { _id: 2 as never, n: 2, tags: ['b'] },
      { _id: 3 as never, n: 3, tags: ['c'], done: true },
    ]);
    const res = await c.updateMany({}, { $inc: { n: 10 }, $set: { done: true }, $addToSet: { tags: 'b' } });
    expect({ matched: res.matchedCount, modified: res.modifiedCount }).toEqual({ matched: 3, modified: 3 });
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 11, tags: ['a', 'b'], done: true },
      { _id: 2, n: 12, tags: ['b'], done: true },
      { _id: 3, n: 13, tags: ['c', 'b'], done: true },
    ]);
    const again = await c.updateMany({ done: true }, { $set: { done: true } });
    expect(again.modifiedCount).toBe(0);
    const renamed = await c.updateMany({ tags: 'b' }, { $set: { 'tags.$[t]': 'B' } }, { arrayFilters: [{ t: 'b' }] });
    expect(renamed.modifiedCount).toBe(3);
    expect((await c.find().sort({ _id: 1 }).toArray()).map((d) => d.tags)).toEqual([['a', 'B'], ['B'], ['c', 'B']]);
  });

  it('when updateMany fails on one document, then the error is reported and the update is not applied to that document', async () => {
    const c = freshCollection(t);
    await c.insertMany([
      { _id: 1 as never, n: 1 },
      { _id: 2 as never, n: 'text' },
      { _id: 3 as never, n: 3 },
    ]);
    const err = await rejection(c.updateMany({}, { $inc: { n: 1 } }));
    expect(err.code).toBe(14); // TypeMismatch
    expect((await c.findOne({ _id: 2 as never }))!.n).toBe('text');
    // What came before the failing document may already be changed (MongoDB does not roll back).
    expect([1, 2]).toContain((await c.findOne({ _id: 1 as never }))!.n);
  });

  it('when updateMany would give two documents one unique key, then it fails with 11000', async () => {
    const c = freshCollection(t);
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([{ _id: 1 as never, k: 1 }, { _id: 2 as never, k: 2 }]);
    const err = await rejection(c.updateMany({}, { $set: { k: 9 } }));
    expect(err.code).toBe(11000);
    expect(await c.countDocuments({ k: 9 })).toBeLessThanOrEqual(1);
  });
});
