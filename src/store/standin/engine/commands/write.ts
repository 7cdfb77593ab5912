import type { Document } from 'bson';
import { StandinError, mongoError } from '../../errors';
import { collectionName } from '../catalog';
import type { Collection } from '../collection';
import type { CommandHandler, EngineContext } from '../context';
import { project, runFind } from '../query';
import { applyUpdate, applyUpdateMany, idFirst, isReplacement, upsertSeed } from '../update-doc';
import { canonicalKey, deepClone } from '../values';

/** One failed statement of a batch, as `writeErrors` reports it. */
function writeError(index: number, err: unknown): Document {
  if (!(err instanceof StandinError)) throw err;
  const { ok: _ok, ...rest } = err.toReply();
  return { index, ...rest };
}

/**
 * Runs each statement of a batch in turn. Ordered batches stop at the first failure; unordered ones
 * go on. Statements that succeeded before a failure stay applied, as in MongoDB.
 */
function eachStatement<T>(items: unknown, ordered: unknown, run: (item: T, index: number) => void): Document[] {
  if (!Array.isArray(items)) throw mongoError('FailedToParse', 'a write command needs an array of statements');
  const errors: Document[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i] as T, i);
    } catch (err) {
      errors.push(writeError(i, err));
      if (ordered !== false) break;
    }
  }
  return errors;
}

function withErrors(reply: Document, errors: Document[]): Document {
  return errors.length ? { ...reply, writeErrors: errors, ok: 1 } : { ...reply, ok: 1 };
}

const insert: CommandHandler = (ctx, db, command) => {
  const coll = ctx.catalog.ensure(db, collectionName(command.insert, 'insert'));
  let n = 0;
  const errors = eachStatement<Document>(command.documents, command.ordered, (doc) => {
    coll.insert(idFirst(doc));
    n++;
  });
  return withErrors({ n }, errors);
};

interface UpdateStatement {
  q?: Document;
  u: Document | Document[];
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Document[];
}

const update: CommandHandler = (ctx, db, command) => {
  const name = collectionName(command.update, 'update');
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const errors = eachStatement<UpdateStatement>(command.updates, command.ordered, (stmt, index) => {
    if (stmt.multi && isReplacement(stmt.u)) throw mongoError('FailedToParse', 'multi update is not supported for replacement-style update');
    const coll = ctx.catalog.ensure(db, name);
    const targets = runFind(coll, { filter: stmt.q, limit: stmt.multi ? 0 : 1 }).docs;
    const afters = applyUpdateMany(targets, stmt.u, { filter: stmt.q ?? {}, arrayFilters: stmt.arrayFilters, now: ctx.now(), inserting: false });
    targets.forEach((doc, i) => {
      n++;
      if (afters ? store(coll, doc, afters[i]!) : modify(ctx, coll, doc, stmt.u, stmt.q ?? {}, stmt.arrayFilters)) nModified++;
    });
    if (targets.length === 0 && stmt.upsert) {
      const doc = upsertInsert(ctx, coll, stmt.q ?? {}, stmt.u, stmt.arrayFilters);
      n++;
      upserted.push({ index, _id: doc._id });
    }
  });
  return withErrors({ n, nModified, ...(upserted.length ? { upserted } : {}) }, errors);
};

const deleteCommand: CommandHandler = (ctx, db, command) => {
  const coll = ctx.catalog.get(db, collectionName(command.delete, 'delete'));
  let n = 0;
  const errors = eachStatement<{ q?: Document; limit?: number }>(command.deletes, command.ordered, (stmt) => {
    if (!coll) return;
    const targets = runFind(coll, { filter: stmt.q, limit: Number(stmt.limit ?? 0) === 1 ? 1 : 0 }).docs;
    for (const doc of targets) coll.remove(doc);
    n += targets.length;
  });
  return withErrors({ n }, errors);
};

/**
 * findAndModify is atomic because it runs inside one synchronous command: finding the document,
 * applying the change and writing it back happen with no other command able to run in between, so
 * two clients can never claim the same document.
 */
const findAndModify: CommandHandler = (ctx, db, command) => {
  const coll = ctx.catalog.ensure(db, collectionName(command.findAndModify ?? command.findandmodify, 'findAndModify'));
  const query = (command.query as Document | undefined) ?? {};
  const [doc] = runFind(coll, { filter: query, sort: command.sort as Document | undefined, limit: 1 }).docs;
  const fields = command.fields as Document | undefined;
  const shape = (d: Document | undefined | null) => (d ? projectOne(d, fields) : null);
  if (command.remove) {
    if (command.update) throw mongoError('FailedToParse', 'Cannot specify both an update and remove=true');
    if (doc) coll.remove(doc);
    return { lastErrorObject: { n: doc ? 1 : 0 }, value: shape(doc), ok: 1 };
  }
  const change = command.update as Document | Document[] | undefined;
  if (!change) throw mongoError('FailedToParse', 'Either an update or remove=true must be specified');
  const arrayFilters = command.arrayFilters as Document[] | undefined;
  if (doc) {
    modify(ctx, coll, doc, change, query, arrayFilters);
    const after = coll.get(doc._id);
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(command.new ? after : doc), ok: 1 };
  }
  if (!command.upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const inserted = upsertInsert(ctx, coll, query, change, arrayFilters);
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
    value: shape(command.new ? inserted : null),
    ok: 1,
  };
};

function projectOne(doc: Document, fields: Document | undefined): Document {
  if (!fields || Object.keys(fields).length === 0) return doc;
  return project([doc], fields, {})[0] ?? doc;
}

function sameDocument(a: Document, b: Document): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

/** Applies an update to one stored document; returns whether anything changed. */
function modify(ctx: EngineContext, coll: Collection, doc: Document, change: Document | Document[], filter: Document, arrayFilters?: Document[]): boolean {
  return store(coll, doc, applyUpdate(doc, change, { filter, arrayFilters, now: ctx.now(), inserting: false }));
}

/** Writes an updated document back unless the update changed nothing; returns whether it did. */
function store(coll: Collection, doc: Document, after: Document): boolean {
  if (sameDocument(doc, after)) return false;
  coll.replace(doc, after);
  return true;
}

function upsertInsert(ctx: EngineContext, coll: Collection, filter: Document, change: Document | Document[], arrayFilters?: Document[]): Document {
  const seed = isReplacement(change as Document) ? (filter._id !== undefined ? { _id: deepClone(filter._id) } : {}) : upsertSeed(filter);
  const doc = applyUpdate(seed, change, { filter, arrayFilters, now: ctx.now(), inserting: true });
  coll.insert(doc);
  return doc;
}

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
