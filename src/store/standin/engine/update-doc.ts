import { ObjectId, Timestamp, type Document } from 'bson';
import { aggregate, update as mingoUpdate } from 'mingo';
import { setValue } from 'mingo/util';
import { StandinError, mongoError } from '../errors';
import { canonicalKey, deepClone, isPlainObject } from './values';

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

function applyOperators(doc: Document, update: Document, options: UpdateOptions): Document {
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
      modifier[op] = { ...(modifier[op] as Document | undefined), ...withoutSameId(op, fields, doc._id) };
    }
  }
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
    const [out] = aggregate([deepClone(doc)], pipeline, { variables: { NOW: now } });
    return (out ?? {}) as Document;
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
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
