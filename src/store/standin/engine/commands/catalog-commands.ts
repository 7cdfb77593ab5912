import type { Document } from 'bson';
import { Query } from 'mingo';
import { mongoError } from '../../errors';
import { collectionName } from '../catalog';
import type { CommandHandler } from '../context';
import { defaultIndexName, type IndexSpec } from '../indexes';
import { bsonSize, canonicalKey } from '../values';

const create: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.create, 'create');
  if (ctx.catalog.get(db, name)) throw mongoError('NamespaceExists', `Collection ${db}.${name} already exists.`);
  if (command.capped || command.timeseries || command.viewOn) {
    throw mongoError('NotImplemented', 'the stand-in supports plain collections only (no capped, time series or views)');
  }
  ctx.catalog.ensure(db, name);
  return { ok: 1 };
};

const drop: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.drop, 'drop');
  const coll = ctx.catalog.get(db, name);
  ctx.catalog.drop(db, name);
  return { nIndexesWas: coll ? coll.indexSpecs().length : 0, ns: `${db}.${name}`, ok: 1 };
};

const dropDatabase: CommandHandler = (ctx, db) => {
  ctx.catalog.dropDatabase(db);
  return { dropped: db, ok: 1 };
};

const listCollections: CommandHandler = (ctx, db, command) => {
  const infos = ctx.catalog.collections(db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: c.createdAt },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const filter = command.filter as Document | undefined;
  const matched = filter ? infos.filter((i) => new Query(filter, {}).test(i)) : infos;
  const docs = command.nameOnly ? matched.map(({ name, type }) => ({ name, type })) : matched;
  return ctx.cursors.firstBatch(`${db}.$cmd.listCollections`, docs, (command.cursor as Document | undefined)?.batchSize, ctx.now().getTime());
};

const listDatabases: CommandHandler = (ctx, _db, command) => {
  const databases = ctx.catalog.databases().map((name) => {
    const sizeOnDisk = ctx.catalog.collections(name).reduce((n, c) => n + [...c.all()].reduce((s, d) => s + bsonSize(d), 0), 0);
    return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
  });
  const totalSize = databases.reduce((n, d) => n + d.sizeOnDisk, 0);
  return command.nameOnly ? { databases: databases.map(({ name }) => ({ name })), ok: 1 } : { databases, totalSize, ok: 1 };
};

const createIndexes: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.createIndexes, 'createIndexes');
  const specs = command.indexes;
  if (!Array.isArray(specs) || specs.length === 0) throw mongoError('BadValue', 'Must specify at least one index to create');
  const existed = ctx.catalog.get(db, name) !== undefined;
  const coll = ctx.catalog.ensure(db, name);
  const before = coll.indexSpecs().length;
  for (const raw of specs as Document[]) {
    const spec = toSpec(raw);
    if (canonicalKey(spec.key) === canonicalKey({ _id: 1 })) continue;
    const sameName = coll.indexSpecs().find((s) => s.name === spec.name);
    const sameKey = coll.indexSpecs().find((s) => canonicalKey(s.key) === canonicalKey(spec.key));
    if (sameName || sameKey) {
      const existing = (sameName ?? sameKey) as IndexSpec;
      if (canonicalKey(options(existing)) === canonicalKey(options(spec)) && existing.name === spec.name) continue;
      if (sameName && canonicalKey(sameName.key) !== canonicalKey(spec.key)) {
        throw mongoError('IndexKeySpecsConflict', `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`);
      }
      throw mongoError('IndexOptionsConflict', `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`);
    }
    coll.addIndex(spec);
  }
  const after = coll.indexSpecs().length;
  return {
    numIndexesBefore: before,
    numIndexesAfter: after,
    ...(after === before ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
};

const listIndexes: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.listIndexes, 'listIndexes');
  const coll = ctx.catalog.get(db, name);
  if (!coll) throw mongoError('NamespaceNotFound', `ns does not exist: ${db}.${name}`);
  return ctx.cursors.firstBatch(`${db}.${name}`, coll.indexSpecs(), (command.cursor as Document | undefined)?.batchSize, ctx.now().getTime());
};

const dropIndexes: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.dropIndexes, 'dropIndexes');
  const coll = ctx.catalog.get(db, name);
  if (!coll) throw mongoError('NamespaceNotFound', `ns not found ${db}.${name}`);
  const before = coll.indexSpecs().length;
  const which = command.index;
  if (which === '*') coll.dropAllIndexes();
  else {
    const names = Array.isArray(which) ? which.map(String) : [indexNameFor(coll.indexSpecs(), which)];
    for (const n of names) {
      if (n === '_id_') throw mongoError('InvalidOptions', 'cannot drop _id index');
      if (!coll.findIndex(n)) throw mongoError('IndexNotFound', `index not found with name [${n}]`);
    }
    names.forEach((n) => coll.dropIndex(n));
  }
  return { nIndexesWas: before, ok: 1 };
};

function indexNameFor(specs: IndexSpec[], which: unknown): string {
  if (typeof which === 'string') return which;
  const spec = specs.find((s) => canonicalKey(s.key) === canonicalKey(which));
  if (!spec) throw mongoError('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
  return spec.name;
}

function toSpec(raw: Document): IndexSpec {
  const key = raw.key as Document | undefined;
  if (!key || typeof key !== 'object' || Object.keys(key).length === 0) throw mongoError('BadValue', 'Index key pattern must be a non-empty object');
  for (const v of Object.values(key)) {
    if (v !== 1 && v !== -1) throw mongoError('NotImplemented', `the stand-in supports ascending/descending indexes only, not ${JSON.stringify(v)}`);
  }
  const spec: IndexSpec = { v: 2, key, name: typeof raw.name === 'string' ? raw.name : defaultIndexName(key) };
  if (raw.unique) spec.unique = true;
  if (raw.sparse) spec.sparse = true;
  if (raw.partialFilterExpression) spec.partialFilterExpression = raw.partialFilterExpression as Document;
  if (raw.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(raw.expireAfterSeconds);
  return spec;
}

function options(spec: IndexSpec): Document {
  const { unique, sparse, partialFilterExpression, expireAfterSeconds } = spec;
  return { unique: !!unique, sparse: !!sparse, partialFilterExpression, expireAfterSeconds };
}

export const catalogCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
