import { ObjectId, type Document } from 'bson';
import { mongoError } from '../errors';
import { Index, type IndexChange, type IndexSpec } from './indexes';
import { MAX_BSON_SIZE, bsonSize, canonicalKey } from './values';

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** Documents a query may have to look at, and how they were found (for `explain`). */
export interface Candidates {
  docs: Iterable<Document>;
  indexName?: string;
  keysExamined: number;
}

/**
 * One collection: documents by `_id` in insertion order, plus secondary indexes kept in step with
 * every write. Documents are replaced, never mutated in place, so a cursor's snapshot of earlier
 * documents stays valid while writes go on.
 */
export class Collection {
  private readonly docs = new Map<string, Document>();
  private readonly indexes = new Map<string, Index>();
  readonly createdAt = new ObjectId();

  constructor(
    readonly db: string,
    readonly name: string,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  all(): IterableIterator<Document> {
    return this.docs.values();
  }

  get(id: unknown): Document | undefined {
    return this.docs.get(canonicalKey(id));
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  findIndex(name: string): Index | undefined {
    return this.indexes.get(name);
  }

  /** Builds an index over the existing documents; a unique index over duplicates fails with E11000. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec);
    for (const [id, doc] of this.docs) {
      index.checkUnique(doc, id, this.ns);
      index.add(doc, id);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  dropAllIndexes(): void {
    this.indexes.clear();
  }

  /** Inserts a document that already has its `_id`. All checks run before anything changes. */
  insert(doc: Document): void {
    checkSize(doc, 'insert');
    const id = canonicalKey(doc._id);
    if (this.docs.has(id)) throw new Index(ID_INDEX).duplicate(this.ns, [doc._id]);
    for (const index of this.indexes.values()) index.checkUnique(doc, id, this.ns);
    this.docs.set(id, doc);
    for (const index of this.indexes.values()) index.add(doc, id);
  }

  /** Swaps `before` for `after` (same `_id`), keeping its place in natural order. */
  replace(before: Document, after: Document): void {
    checkSize(after, 'update');
    const id = canonicalKey(before._id);
    // Every unique index is checked before any changes, so a duplicate key leaves all as it was.
    const changes: Array<[Index, IndexChange]> = [];
    for (const index of this.indexes.values()) {
      const change = index.change(before, after);
      if (!change) continue;
      index.checkUniqueChange(change, id, this.ns);
      changes.push([index, change]);
    }
    for (const [index, change] of changes) index.applyChange(change, id);
    this.docs.set(id, after);
  }

  remove(doc: Document): void {
    const id = canonicalKey(doc._id);
    if (!this.docs.delete(id)) return;
    for (const index of this.indexes.values()) index.remove(doc, id);
  }

  clear(): void {
    this.docs.clear();
    for (const index of this.indexes.values()) index.clear();
  }

  /** The documents for a set of ids, read lazily: a query that stops early never touches the rest. */
  private *lookupAll(ids: Iterable<string>): Generator<Document> {
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) yield doc;
    }
  }

  /**
   * Narrows a filter to the documents an index says can match, so an equality on an indexed field
   * never scans the collection. The caller still applies the full filter to what comes back.
   */
  candidates(filter: Document): Candidates {
    const direct = this.indexed(filter);
    if (direct) return direct;
    // An $or whose every clause has an index lookup is the union of those (MongoDB's OR plan);
    // one clause without an index means a scan, as there.
    const clauses = Array.isArray(filter.$or) ? (filter.$or as unknown[]) : [];
    const parts = clauses.map((c) => (c !== null && typeof c === 'object' && !Array.isArray(c) ? this.indexed(c as Document) : undefined));
    if (parts.length > 0 && parts.every((p): p is Candidates => p !== undefined)) {
      const union = new Map<string, Document>();
      for (const part of parts) for (const doc of part.docs) union.set(canonicalKey(doc._id), doc);
      const names = [...new Set(parts.map((p) => p.indexName))];
      return { docs: union.values(), indexName: names.join(','), keysExamined: parts.reduce((n, p) => n + p.keysExamined, 0) };
    }
    return { docs: this.docs.values(), keysExamined: 0 };
  }

  /** The lookup for a filter's own equalities, or undefined when no index answers them. */
  private indexed(filter: Document): Candidates | undefined {
    const idValues = equalityValues(filter._id);
    if (idValues) {
      const docs = [...new Set(idValues.map(canonicalKey))].map((k) => this.docs.get(k)).filter((d): d is Document => d !== undefined);
      return { docs, indexName: '_id_', keysExamined: docs.length };
    }
    // The most selective usable index: one whose every field has an equality (each combination of
    // the allowed values is one exact lookup), else one whose first field has.
    let prefix: { index: Index; keys: unknown[][] } | undefined;
    for (const index of this.indexes.values()) {
      if (!index.servesEquality) continue;
      const values = index.fields.map((f) => equalityValues(filter[f]));
      if (!values[0]) continue;
      if (values.every((v) => v !== undefined)) {
        const keys = combinations(values as unknown[][], MAX_LOOKUPS);
        if (keys) return this.fromKeys(index, keys);
      }
      prefix ??= { index, keys: values[0].map((v) => [v]) };
    }
    return prefix ? this.fromKeys(prefix.index, prefix.keys) : undefined;
  }

  private fromKeys(index: Index, keys: unknown[][]): Candidates {
    const sets = keys.map((k) => index.lookup(k)).filter((s): s is Set<string> => !!s);
    const ids = sets.length === 1 ? (sets[0] as Set<string>) : new Set(sets.flatMap((s) => [...s]));
    return { docs: this.lookupAll(ids), indexName: index.name, keysExamined: ids.size };
  }
}

/** More exact lookups than this for one query, and a prefix lookup plus a filter is cheaper. */
const MAX_LOOKUPS = 64;

/** Every combination of one value per field, or undefined when there would be more than `max`. */
function combinations(values: unknown[][], max: number): unknown[][] | undefined {
  if (values.reduce((n, v) => n * v.length, 1) > max) return undefined;
  return values.reduce<unknown[][]>((acc, options) => acc.flatMap((prefix) => options.map((v) => [...prefix, v])), [[]]);
}

/**
 * The scalar values an equality condition allows (`v`, `{$eq: v}`, `{$in: [...]}`), or undefined
 * when the condition is anything an index map cannot answer (ranges, null, arrays, documents).
 */
function equalityValues(cond: unknown): unknown[] | undefined {
  if (cond === undefined) return undefined;
  if (isIndexableScalar(cond)) return [cond];
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) return undefined;
  const ops = Object.keys(cond);
  if (ops.length !== 1) return undefined;
  const c = cond as Document;
  if ('$eq' in c && isIndexableScalar(c.$eq)) return [c.$eq];
  if ('$in' in c && Array.isArray(c.$in) && c.$in.every(isIndexableScalar)) return c.$in as unknown[];
  return undefined;
}

function isIndexableScalar(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof ObjectId || v instanceof Date;
}

function checkSize(doc: Document, op: 'insert' | 'update'): void {
  const size = bsonSize(doc);
  if (size <= MAX_BSON_SIZE) return;
  if (op === 'insert') throw mongoError('BSONObjectTooLarge', `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`);
  throw mongoError('BSONObjectTooLarge', `Resulting document after update is larger than ${MAX_BSON_SIZE}`, { code: 17419, codeName: 'Location17419' });
}
