import type { Collection, Document } from 'mongodb';
import { Schema } from 'mongoose';
import { useTestDb } from '../../../support/mongo';
import { freshCollection, rejection } from './helpers';

/** Conformance: indexes, and unique violations on every write path. Valid against any MongoDB. */
describe('conformance: indexes', () => {
  const t = useTestDb();

  async function uniqueEmail(): Promise<Collection<Document>> {
    const c = freshCollection(t);
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([{ email: 'a@x.io', n: 1 }, { email: 'b@x.io', n: 2 }]);
    return c;
  }

  function expectDuplicate(err: Document): void {
    expect(err.code).toBe(11000);
    expect(String(err.errmsg ?? err.message)).toMatch(/E11000 duplicate key error.*index: email_1/);
    if (err.writeErrors) {
      // Bulk errors: the driver keeps each statement's errmsg but not its keyPattern/keyValue.
      expect(String(err.writeErrors[0].errmsg)).toContain('dup key: { email: "a@x.io" }');
    } else {
      expect(err.keyPattern).toEqual({ email: 1 });
      expect(err.keyValue).toEqual({ email: 'a@x.io' });
    }
  }

  it.each<[string, (c: Collection<Document>) => Promise<unknown>]>([
    ['insertOne', (c) => c.insertOne({ email: 'a@x.io' })],
    ['insertMany', (c) => c.insertMany([{ email: 'c@x.io' }, { email: 'a@x.io' }])],
    ['updateOne with $set', (c) => c.updateOne({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } })],
    ['an upsert', (c) => c.updateOne({ n: 99 }, { $set: { email: 'a@x.io' } }, { upsert: true })],
    ['replaceOne', (c) => c.replaceOne({ email: 'b@x.io' }, { email: 'a@x.io' })],
    ['findOneAndUpdate', (c) => c.findOneAndUpdate({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } })],
    ['bulkWrite', (c) => c.bulkWrite([{ updateOne: { filter: { n: 2 }, update: { $set: { email: 'a@x.io' } } } }])],
  ])('when %s would duplicate a unique key, then it fails with E11000 and nothing changes', async (_what, write) => {
    const c = await uniqueEmail();
    expectDuplicate(await rejection(write(c)));
    expect(await c.countDocuments({ email: 'a@x.io' })).toBe(1);
    expect(await c.countDocuments({ email: 'b@x.io' })).toBe(1);
  });

  it('when indexes are created, listed and dropped, then listIndexes reflects each step', async () => {
    const c = freshCollection(t);
    await c.insertOne({ a: 1 });
    await c.createIndex({ a: 1, b: -1 });
    await c.createIndex({ z: 1 }, { name: 'zed', sparse: true });
    expect((await c.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'a_1_b_-1', 'zed']);
    await c.dropIndex('zed');
    expect((await c.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'a_1_b_-1']);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('when a compound unique index exists, then only the full combination must be unique', async () => {
    const c = freshCollection(t);
    await c.createIndex({ team: 1, shortcut: 1 }, { unique: true });
    await c.insertMany([{ team: 'a', shortcut: 'hi' }, { team: 'b', shortcut: 'hi' }]);
    const err = await rejection(c.insertOne({ team: 'a', shortcut: 'hi' }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ team: 'a', shortcut: 'hi' });
  });

  it('when an array in a compound index shrinks, then the document is still found by the first field', async () => {
    const c = freshCollection(t);
    await c.createIndex({ a: 1, b: 1 });
    await c.insertOne({ _id: 1 as never, a: 1, b: ['x', 'y'] });
    await c.updateOne({ _id: 1 as never }, { $set: { b: ['x'] } });
    expect(await c.find({ a: 1 }).toArray()).toEqual([{ _id: 1, a: 1, b: ['x'] }]);
    await c.updateOne({ _id: 1 as never }, { $set: { a: 2 } });
    expect(await c.countDocuments({ a: 1 })).toBe(0);
    expect(await c.countDocuments({ a: 2 })).toBe(1);
  });

  it('when a unique index is not sparse, then two documents missing the field collide as null', async () => {
    const c = freshCollection(t);
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertOne({ x: 1 });
    const err = await rejection(c.insertOne({ x: 2 }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ code: null });
  });

  it('when a unique index is sparse, then any number of documents may lack the field', async () => {
    const c = freshCollection(t);
    await c.createIndex({ code: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ x: 1 }, { x: 2 }, { code: 'A' }]);
    expect((await rejection(c.insertOne({ code: 'A' }))).code).toBe(11000);
  });

  it('when a unique index has a partial filter, then only matching documents are constrained', async () => {
    const c = freshCollection(t);
    await c.createIndex({ waMessageId: 1 }, { unique: true, partialFilterExpression: { waMessageId: { $type: 'string' } } });
    await c.insertMany([{ body: 'draft' }, { body: 'draft 2' }, { waMessageId: 'm1' }]);
    expect((await rejection(c.insertOne({ waMessageId: 'm1' }))).code).toBe(11000);
  });

  it('when a unique index is created over existing duplicates, then creation fails with E11000', async () => {
    const c = freshCollection(t);
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await rejection(c.createIndex({ k: 1 }, { unique: true }))).code).toBe(11000);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('when twenty upserts race on one unique key, then exactly one document exists', async () => {
    const c = freshCollection(t);
    await c.createIndex({ k: 1 }, { unique: true });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => c.updateOne({ k: 'x' }, { $setOnInsert: { first: i }, $inc: { hits: 1 } }, { upsert: true })),
    );
    // A real server may report an upsert that lost the race as E11000; nothing else may fail.
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Document).code).toBe(11000);
    expect(await c.countDocuments({ k: 'x' })).toBe(1);
    const hits = (await c.findOne({ k: 'x' }))?.hits as number;
    expect(hits).toBe(results.filter((r) => r.status === 'fulfilled').length);
  });

  it('when looking up an indexed field by equality, then the server examines only the matching document', async () => {
    const c = freshCollection(t);
    await c.createIndex({ email: 1 });
    await c.insertMany(Array.from({ length: 1000 }, (_, i) => ({ email: `x${i}`, n: i })));
    const plan = (await c.find({ email: 'x500' }).explain('executionStats')) as Document;
    expect(plan.executionStats.nReturned).toBe(1);
    expect(plan.executionStats.totalDocsExamined).toBeLessThanOrEqual(1);
    const scan = (await c.find({ n: 500 }).explain('executionStats')) as Document;
    expect(scan.executionStats.totalDocsExamined).toBe(1000);
  });

  it('when a query is an $or of indexed equalities (one on a sparse index), then the server examines only the matching documents', async () => {
    const c = freshCollection(t);
    await c.createIndex({ steps: 1 }, { sparse: true });
    await c.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: `m${i}` as never, who: `c${i % 10}`, ...(i === 700 ? { steps: ['consent'] } : {}) })));
    const plan = (await c.find({ $or: [{ _id: 'm5' as never }, { steps: 'consent', who: 'c0' }] }).explain('executionStats')) as Document;
    expect(plan.executionStats.nReturned).toBe(2);
    expect(plan.executionStats.totalDocsExamined).toBeLessThanOrEqual(2);
  });

  it('when a mongoose schema declares unique, then after syncIndexes() (as the app runs at start) a duplicate fails with 11000', async () => {
    const Model = t.mongoose.model(`U${Date.now()}`, new Schema({ handle: { type: String, unique: true } }));
    await Model.syncIndexes();
    await Model.create({ handle: 'ana' });
    expect((await rejection(Model.create({ handle: 'ana' }))).code).toBe(11000);
  });
});
