import { Decimal128, Double, Int32, Long, ObjectId, Timestamp, type Document } from 'bson';
import { aggregate, update as mingoUpdate, updateMany as mingoUpdateMany } from 'mingo';
import { resolve, setValue } from 'mingo/util';
import { StandinError, mongoError } from '../errors';
import { canonicalKey, deepClone, isPlainObject, shellString } from './values';

const OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$addToSet', '$pull', '$pullAll',
  '$pop', '$bit', '$currentDate', '$setOnInsert',
]);

export interface UpdateOptions {
  filter: Document;
  arrayFilters?: Document[];
  now: Date;
  /** The update is creating the document of an upsert: `$setOnInsert` applies. */
  inserting: boolean;
}

/** Whether `update` is a replacement document rather than operators or a pipeline. */
export function isReplacement(update: Document | Document[]): boolean {
  return !Array.isArray(update) && !Object.keys(update).some((k) => k.startsWith('$'));
}

/** Applies an update (operators, replacement or pipeline) to a copy of `doc` and returns the copy. */
export function applyUpdate(doc: Document, update: Document | Document[], options: UpdateOptions): Document {
  const result = Array.isArray(update)
    ? applyPipeline(doc, update, options.now)
    : isReplacement(update)
      ? { _id: doc._id, ...deepClone(update) }
      : applyOperators(doc, update, options);
  if (result._id === undefined && doc._id !== undefined) result._id = doc._id;
  if (doc._id !== undefined && canonicalKey(result._id) !== canonicalKey(doc._id)) {
    throw mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return idFirst(result);
}

/**
 * {@link applyUpdate} over many documents at once, for multi-updates: one mingo call instead of one
 * per document (mingo's per-call setup is most of the cost of a small change). Updates whose result
 * depends on the single document — pipelines, replacements, `_id` paths, the positional `$` — and
 * any update that fails return undefined: the caller applies those document by document, so results
 * and errors (and what a failure half-way leaves applied) are exactly applyUpdate's.
 */
export function applyUpdateMany(docs: Document[], update: Document | Document[], options: UpdateOptions): Document[] | undefined {
  const perDocument = () => undefined;
  if (docs.length < 2 || Array.isArray(update) || isReplacement(update) || !batchable(update)) return perDocument();
  let modifier: Document;
  try {
    modifier = modifierOf(undefined, update, options);
  } catch {
    return perDocument();
  }
  try {
    for (const doc of docs) checkArithmetic(doc, update);
  } catch {
    return perDocument();
  }
  const copies = docs.map(deepClone);
  try {
    mingoUpdateMany(copies, {}, modifier, { arrayFilters: options.arrayFilters ?? [] });
  } catch {
    return perDocument();
  }
  return copies.map(idFirst);
}

/** No `_id` path and no positional `$` (which needs each document's own match of the filter). */
function batchable(update: Document): boolean {
  return Object.values(update).every(
    (fields) => isPlainObject(fields) && Object.keys(fields).every((path) => path !== '_id' && !path.startsWith('_id.') && !/(^|\.)\$(\.|$)/.test(path)),
  );
}

function applyOperators(doc: Document, update: Document, options: UpdateOptions): Document {
  const modifier = modifierOf(doc, update, options);
  checkArithmetic(doc, update);
  const copy = deepClone(doc);
  try {
    // The filter resolves the positional `$`; mingo skips the update if the filter does not match,
    // which the seed of an upsert need not.
    mingoUpdate(copy, modifier, options.arrayFilters ?? [], options.inserting ? {} : options.filter);
  } catch (err) {
    if (err instanceof StandinError) throw err;
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
  return copy;
}

/** MongoDB refuses `$inc`/`$mul` on a field holding a non-number (TypeMismatch); mingo would skip it silently. */
function checkArithmetic(doc: Document, update: Document): void {
  for (const op of ['$inc', '$mul']) {
    const fields = update[op];
    if (!isPlainObject(fields)) continue;
    for (const path of Object.keys(fields)) {
      if (path.includes('$')) continue; // positional paths: each element is checked by mingo's own walk
      const current = resolve(doc, path) as unknown;
      if (current === undefined || isNumeric(current)) continue;
      const field = path.split('.').at(-1);
      throw mongoError('TypeMismatch', `Cannot apply ${op} to a value of non-numeric type. {_id: ${shellString(doc._id)}} has the field '${field}' of non-numeric type ${bsonTypeName(current)}`);
    }
  }
}

function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || value instanceof Long || value instanceof Decimal128 || value instanceof Int32 || value instanceof Double;
}

function bsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof ObjectId) return 'objectId';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** The update as mingo takes it: `$setOnInsert` and `$currentDate` resolved here, `_id` checked. */
function modifierOf(doc: Document | undefined, update: Document, options: UpdateOptions): Document {
  const modifier: Document = {};
  for (const [op, fields] of Object.entries(update)) {
    if (!OPERATORS.has(op)) {
      throw mongoError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(fields)) throw mongoError('FailedToParse', `Modifiers operate on fields but we found type ${typeof fields} instead.`);
    if (op === '$setOnInsert') {
      if (options.inserting) modifier.$set = { ...(modifier.$set as Document | undefined), ...fields };
    } else if (op === '$currentDate') {
      // mingo would read the wall clock; the engine's clock can be moved by tests.
      const set: Document = {};
      for (const [path, spec] of Object.entries(fields)) {
        const asTimestamp = isPlainObject(spec) && spec.$type === 'timestamp';
        set[path] = asTimestamp ? Timestamp.fromNumber(Math.floor(options.now.getTime() / 1000) * 2 ** 32) : new Date(options.now);
      }
      modifier.$set = { ...(modifier.$set as Document | undefined), ...set };
    } else {
      modifier[op] = { ...(modifier[op] as Document | undefined), ...withoutSameId(op, fields, doc?._id) };
    }
  }
  return modifier;
}

/**
 * `_id` is immutable: setting it to the value it has is a no-op, any other change to it fails
 * before anything is applied (mingo would refuse with a different error).
 */
function withoutSameId(op: string, fields: Document, id: unknown): Document {
  const out: Document = {};
  for (const [path, value] of Object.entries(fields)) {
    if (path === '_id' || path.startsWith('_id.')) {
      if (op === '$set' && path === '_id' && id !== undefined && canonicalKey(value) === canonicalKey(id)) continue;
      if (id !== undefined) throw mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    out[path] = value;
  }
  return out;
}

function applyPipeline(doc: Document, pipeline: Document[], now: Date): Document {
  try {
    const [out] = aggregate([deepClone(doc)], pipeline.flatMap(simultaneousSet), { variables: { NOW: now } });
    return (out ?? {}) as Document;
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
}

/**
 * MongoDB computes every field of one `$set`/`$addFields` stage from the document as it entered the
 * stage; mingo sets them one by one, so a later field would see an earlier one's new value. Each
 * expression is computed into a temporary field first, then copied into place (a missing result,
 * `$$REMOVE`, removes the field as it would). Embedded-document specs stay as they are.
 */
function simultaneousSet(stage: Document): Document[] {
  const op = '$set' in stage ? '$set' : '$addFields' in stage ? '$addFields' : undefined;
  const fields = op ? (stage[op] as Document) : undefined;
  if (!op || !fields || Object.keys(fields).length < 2) return [stage];
  const isNestedSpec = (v: unknown) => isPlainObject(v) && !Object.keys(v as Document).some((k) => k.startsWith('$'));
  const temps: Document = {};
  const place: Document = {};
  Object.entries(fields).forEach(([path, expr], i) => {
    if (isNestedSpec(expr)) return void (place[path] = expr);
    temps[`__standin_set_${i}`] = expr;
    place[path] = `$__standin_set_${i}`;
  });
  if (Object.keys(temps).length === 0) return [stage];
  return [{ $set: temps }, { $set: place }, { $unset: Object.keys(temps) }];
}

/**
 * The document an upsert starts from: the filter's equality conditions (`a: 1`, `a: {$eq: 1}`,
 * inside `$and`), before the update is applied to it.
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document) => {
    for (const [key, cond] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(cond)) cond.forEach((c) => isPlainObject(c) && visit(c));
      if (key.startsWith('$')) continue;
      if (isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) {
        if ('$eq' in cond) setValue(seed, key, deepClone(cond.$eq));
        continue;
      }
      setValue(seed, key, deepClone(cond));
    }
  };
  visit(filter);
  return seed;
}

/** Puts `_id` first, generating one when missing, as mongod does on insert. */
export function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id: _id === undefined ? new ObjectId() : _id, ...rest };
}
