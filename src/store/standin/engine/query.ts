import type { Document } from 'bson';
import { Query, find as mingoFind } from 'mingo';
import { mongoError } from '../errors';
import type { Collection } from './collection';
import { compareValues, isPlainObject, sortComparator, sortValue } from './values';

export interface FindSpec {
  filter?: Document;
  sort?: Document;
  skip?: number;
  /** 0 or undefined: no limit. */
  limit?: number;
}

export interface FindResult {
  docs: Document[];
  docsExamined: number;
  keysExamined: number;
  indexName?: string;
}

/** Compiles a filter with MongoDB's error shape for a bad one. `$where` is refused: no server-side JS. */
export function compileFilter(filter: Document | undefined): Query {
  try {
    return new Query(arrayAwareTypes(filter ?? {}), { scriptEnabled: false });
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
}

/**
 * MongoDB's `$type` also matches an array holding an element of that type; mingo's checks the
 * field's value only. Rewrites `{f: {$type: T}}` to also try `{f: {$elemMatch: {$type: T}}}`.
 */
function arrayAwareTypes(filter: Document): Document {
  const out: Document = {};
  const extra: Document[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(cond)) {
      out[key] = cond.map((c: unknown) => (isPlainObject(c) ? arrayAwareTypes(c) : c));
    } else if (!key.startsWith('$') && isPlainObject(cond) && '$type' in cond) {
      const { $type, ...rest } = cond;
      if (Object.keys(rest).length > 0) out[key] = rest;
      extra.push({ $or: [{ [key]: { $type } }, { [key]: { $elemMatch: { $type } } }] });
    } else {
      out[key] = cond;
    }
  }
  if (extra.length === 0) return out;
  return { ...out, $and: [...((out.$and as Document[] | undefined) ?? []), ...extra] };
}

/**
 * Runs a query against a collection: index candidates, then the filter, then sort/skip/limit.
 * Returns references to stored documents, which the engine never mutates.
 */
export function runFind(coll: Collection | undefined, spec: FindSpec): FindResult {
  if (!coll) return { docs: [], docsExamined: 0, keysExamined: 0 };
  const query = compileFilter(spec.filter);
  const candidates = coll.candidates(spec.filter ?? {});
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  let examined = 0;
  const sort = spec.sort && Object.keys(spec.sort).length > 0 ? spec.sort : undefined;

  if (!sort) {
    const docs: Document[] = [];
    let skipped = 0;
    for (const doc of candidates.docs) {
      examined++;
      if (!query.test(doc)) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      docs.push(doc);
      if (limit > 0 && docs.length >= limit) break;
    }
    return { docs, docsExamined: examined, keysExamined: candidates.keysExamined, indexName: candidates.indexName };
  }

  const cmp = sortComparator(sort);
  const wanted = limit > 0 ? skip + limit : 0;
  if (wanted > 0 && wanted <= 16) {
    // Top-k selection: compare sort keys first and only test the filter on documents that would
    // enter the top k. Claiming the next due item from a queue stays linear, not n log n.
    const top: Document[] = [];
    const first = sortKeyOf(sort);
    const single = Object.keys(sort).length === 1;
    let lastDoc: Document | undefined;
    let lastKey: unknown;
    for (const doc of candidates.docs) {
      examined++;
      const last = top[top.length - 1];
      if (top.length === wanted && last) {
        lastKey = last === lastDoc ? lastKey : sortValue((lastDoc = last), first.path, first.dir);
        // Cheap pre-check on the first sort key before the full comparison.
        const c = compareValues(sortValue(doc, first.path, first.dir), lastKey) * first.dir;
        if (c > 0 || (c === 0 && (single || cmp(doc, last) >= 0))) continue;
      }
      if (!query.test(doc)) continue;
      let i = top.length;
      while (i > 0 && cmp(doc, top[i - 1] as Document) < 0) i--;
      top.splice(i, 0, doc);
      if (top.length > wanted) top.pop();
    }
    return { docs: top.slice(skip), docsExamined: examined, keysExamined: candidates.keysExamined, indexName: candidates.indexName };
  }

  const matched: Document[] = [];
  for (const doc of candidates.docs) {
    examined++;
    if (query.test(doc)) matched.push(doc);
  }
  matched.sort(cmp);
  const docs = matched.slice(skip, limit > 0 ? skip + limit : undefined);
  return { docs, docsExamined: examined, keysExamined: candidates.keysExamined, indexName: candidates.indexName };
}

function sortKeyOf(sort: Document): { path: string; dir: 1 | -1 } {
  const [path, dir] = Object.entries(sort)[0] as [string, unknown];
  return { path, dir: Number(dir) < 0 ? -1 : 1 };
}

/** Applies a find projection with MongoDB's semantics (inclusion, exclusion, `$slice`, `$elemMatch`, `$`). */
export function project(docs: Document[], projection: Document | undefined, filter: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  try {
    // mingo needs the filter for the positional `$` projection.
    return mingoFind(docs, filter ?? {}, projection, { scriptEnabled: false }).all() as Document[];
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
}
