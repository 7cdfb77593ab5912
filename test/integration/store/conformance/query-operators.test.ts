import type { Document, Filter } from 'mongodb';
import { useTestDb } from '../../../support/mongo';
import { freshCollection } from './helpers';

/** Conformance: query operators, evaluated by the server. Valid against any MongoDB. */
describe('conformance: query operators', () => {
  const t = useTestDb();
  const docs = [
    { k: 1, name: 'Ana', tags: ['vip', 'billing'], address: { city: 'Lisbon' }, items: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 5 }], score: 10, budget: 5 },
    { k: 2, name: 'bob', tags: ['billing'], address: { city: 'Porto' }, items: [{ sku: 'C', qty: 1 }], score: null, budget: 50 },
    { k: 3, name: 'Chloé', tags: [], items: [], budget: 1 },
    { k: 4, name: 'dan', tags: 'solo', address: { city: 'Lisbon', zip: '1000' }, score: 7, budget: 7 },
  ];
  const matching = async (filter: Filter<Document>) => {
    const c = freshCollection(t);
    await c.insertMany(docs.map((d) => ({ ...d })));
    return (await c.find(filter).sort({ k: 1 }).toArray()).map((d) => d.k as number);
  };

  it.each<[string, Filter<Document>, number[]]>([
    ['$in against arrays and scalars', { tags: { $in: ['vip', 'solo'] } }, [1, 4]],
    ['$nin, which also matches missing and non-matching arrays', { tags: { $nin: ['billing'] } }, [3, 4]],
    ['$elemMatch over subdocuments', { items: { $elemMatch: { sku: 'B', qty: { $gte: 5 } } } }, [1]],
    ['$elemMatch over scalars', { tags: { $elemMatch: { $regex: '^bil' } } }, [1, 2]],
    ['$exists true', { score: { $exists: true } }, [1, 2, 4]],
    ['$exists false', { address: { $exists: false } }, [3]],
    ['$regex with the i flag', { name: { $regex: '^[ab]', $options: 'i' } }, [1, 2]],
    ['a regular-expression literal', { name: /é$/ }, [3]],
    ['$size', { tags: { $size: 2 } }, [1]],
    ['$all', { tags: { $all: ['billing', 'vip'] } }, [1]],
    ['$ne, which matches missing fields', { 'address.city': { $ne: 'Lisbon' } }, [2, 3]],
    ['$or', { $or: [{ k: 1 }, { name: 'dan' }] }, [1, 4]],
    ['$nor', { $nor: [{ k: 1 }, { k: 2 }] }, [3, 4]],
    ['$and with two conditions on one field', { $and: [{ score: { $gt: 5 } }, { score: { $lt: 9 } }] }, [4]],
    ['a dotted path into a subdocument', { 'address.city': 'Lisbon' }, [1, 4]],
    ['a dotted path into an array of subdocuments', { 'items.sku': 'C' }, [2]],
    ['an array index in the path', { 'tags.0': 'billing' }, [2]],
    ['$type', { tags: { $type: 'string' } }, [1, 2, 4]],
    ['$expr comparing two fields', { $expr: { $gt: ['$score', '$budget'] } }, [1]],
    ['null, which also matches a missing field', { score: null }, [2, 3]],
  ])('when filtering with %s, then exactly the right documents match', async (_what, filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });
});
