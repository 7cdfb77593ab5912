import type { Document } from 'mongodb';
import { useTestDb } from '../../../support/mongo';
import { freshCollection, rejection } from './helpers';

/** Conformance: cursors, aggregation and the commands a standalone server refuses. */
describe('conformance: cursors and aggregation', () => {
  const t = useTestDb();

  async function orders() {
    const c = freshCollection(t, 'orders');
    await c.insertMany([
      { _id: 1 as never, customer: 'ana', total: 10, items: ['a', 'b'] },
      { _id: 2 as never, customer: 'bob', total: 5, items: [] },
      { _id: 3 as never, customer: 'ana', total: 20, items: ['c'] },
      { _id: 4 as never, customer: 'cy', total: 7 },
    ]);
    return c;
  }

  it('when a find spans many batches, then every document arrives once, in order', async () => {
    const c = freshCollection(t);
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const seen: number[] = [];
    for await (const doc of c.find().sort({ i: 1 }).batchSize(20)) seen.push(doc.i as number);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('when a cursor is closed early, then other cursors and commands carry on', async () => {
    const c = freshCollection(t);
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ i })));
    const first = c.find().batchSize(5);
    await first.next();
    await first.close();
    expect(await c.find().batchSize(5).toArray()).toHaveLength(50);
  });

  it('when aggregating with $match, $group, $sort and $project, then totals per customer come back', async () => {
    const c = await orders();
    const out = await c
      .aggregate([
        { $match: { total: { $gte: 6 } } },
        { $group: { _id: '$customer', sum: { $sum: '$total' }, avg: { $avg: '$total' }, ids: { $push: '$_id' }, n: { $addToSet: '$customer' } } },
        { $sort: { sum: -1 } },
        { $project: { _id: 0, customer: '$_id', sum: 1, avg: 1, ids: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { sum: 30, avg: 15, ids: [1, 3], customer: 'ana' },
      { sum: 7, avg: 7, ids: [4], customer: 'cy' },
    ]);
  });

  it('when $unwind runs, then empty and missing arrays drop out unless preserved', async () => {
    const c = await orders();
    expect(await c.aggregate([{ $unwind: '$items' }]).toArray()).toHaveLength(3);
    expect(await c.aggregate([{ $unwind: { path: '$items', preserveNullAndEmptyArrays: true } }]).toArray()).toHaveLength(5);
  });

  it('when $lookup joins another collection, then matches are embedded', async () => {
    const c = await orders();
    const people = freshCollection(t, 'people');
    await people.insertMany([{ name: 'ana', city: 'Lisbon' }, { name: 'bob', city: 'Porto' }]);
    const out = await c
      .aggregate([{ $match: { _id: 2 } }, { $lookup: { from: people.collectionName, localField: 'customer', foreignField: 'name', as: 'who' } }, { $project: { _id: 0, city: { $first: '$who.city' } } }])
      .toArray();
    expect(out).toEqual([{ city: 'Porto' }]);
  });

  it('when $facet, $count, $skip, $limit and $addFields run, then each facet sees the same input', async () => {
    const c = await orders();
    const [out] = await c
      .aggregate([
        { $addFields: { big: { $gt: ['$total', 8] } } },
        { $facet: { big: [{ $match: { big: true } }, { $count: 'n' }], page: [{ $sort: { _id: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 1 } }] } },
      ])
      .toArray();
    expect(out).toEqual({ big: [{ n: 2 }], page: [{ _id: 2 }, { _id: 3 }] });
  });

  it('when $addFields writes a nested path, then the stored documents are not changed', async () => {
    const c = freshCollection(t);
    await c.insertOne({ _id: 1 as never, a: { b: 1 } });
    await c.aggregate([{ $addFields: { 'a.c': 2 } }]).toArray();
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, a: { b: 1 } });
  });

  it('when an aggregation returns many documents, then its cursor continues with getMore', async () => {
    const c = freshCollection(t);
    await c.insertMany(Array.from({ length: 300 }, (_, i) => ({ i, odd: i % 2 })));
    const out = await c.aggregate([{ $match: { odd: 1 } }, { $sort: { i: -1 } }], { batchSize: 10 }).toArray();
    expect(out).toHaveLength(150);
    expect(out[0]?.i).toBe(299);
  });

  it('when collections are listed, dropped and the database dropped, then the catalog follows', async () => {
    const c = freshCollection(t);
    await c.insertOne({ a: 1 });
    const names = async () => (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((x) => x.name);
    expect(await names()).toContain(c.collectionName);
    await c.drop();
    expect(await names()).not.toContain(c.collectionName);
  });

  it('when ping and an unknown command are sent, then ping answers ok and the unknown is CommandNotFound (59)', async () => {
    expect((await t.db.command({ ping: 1 })).ok).toBe(1);
    expect((await rejection(t.db.command({ noSuchCommand: 1 }))).code).toBe(59);
  });

  it('when a transaction is attempted, then a standalone server refuses it (IllegalOperation, 20)', async () => {
    const hello = (await t.db.admin().command({ hello: 1 })) as Document;
    const c = freshCollection(t);
    const session = t.client.startSession();
    try {
      const attempt = session.withTransaction(async () => {
        await c.insertOne({ a: 1 }, { session });
      });
      if (hello.setName) {
        // A replica set supports transactions; the write then commits.
        await attempt;
        expect(await c.countDocuments()).toBe(1);
      } else {
        // The server answers IllegalOperation (20), which the driver rewrites into its "does not
        // support retryable writes" error. Either way nothing is written.
        const err = await rejection(attempt);
        expect(err.code === 20 || /retryable writes|transactions are not supported/i.test(String(err.message))).toBe(true);
        expect(await c.countDocuments()).toBe(0);
      }
    } finally {
      await session.endSession();
    }
  });

  it('when a change stream is opened on a standalone server, then it fails with 40573 instead of hanging', async () => {
    const hello = (await t.db.admin().command({ hello: 1 })) as Document;
    // Only a standalone refuses change streams; on a replica set they work (nothing to assert here).
    if (hello.setName) return;
    const stream = freshCollection(t).watch();
    expect((await rejection(stream.tryNext())).code).toBe(40573);
    await stream.close();
  });

  it('when a result holds more than 16 MiB, then it arrives whole, in batches that each fit in a reply', async () => {
    const c = freshCollection(t);
    const big = 'x'.repeat(1024 * 1024);
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i as never, big })));
    const ids = (await c.find({}, { batchSize: 1000 }).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await c.countDocuments()).toBe(20);
  });
});
