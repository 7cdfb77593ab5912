import type { Document } from 'bson';
import { Query } from 'mingo';
import { mongoError } from '../errors';
import { canonicalKey, indexValues, shellString } from './values';

/** An index as `listIndexes` reports it. */
export interface IndexSpec {
  v: 2;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/** One index entry of a document: the values per key field and their combined map key. */
interface Entry {
  mapKey: string;
  values: unknown[];
}

export interface IndexChange {
  removed: Entry[];
  added: Entry[];
  /** First-field keys (compound indexes' prefix map) the document leaves and joins. */
  prefixRemoved: string[];
  prefixAdded: string[];
}

/**
 * An index over one collection: a hash map from key values to document ids. It answers equality
 * lookups and enforces uniqueness; range scans and sorts are left to a scan of the candidates.
 * Compound indexes also keep a map on their first field, so a prefix equality avoids a scan.
 */
export class Index {
  readonly fields: string[];
  private readonly full = new Map<string, Set<string>>();
  private readonly prefix: Map<string, Set<string>> | undefined;
  private readonly partial: Query | undefined;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.prefix = this.fields.length > 1 ? new Map() : undefined;
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * Whether an equality on this index's first field may use it. A sparse index leaves out only
   * documents without any of its fields, and a non-null equality needs the field, so it may (as
   * MongoDB's planner does); a partial one would need its filter implied by the query, so it may not.
   */
  get servesEquality(): boolean {
    return !this.partial;
  }

  entries(doc: Document): Entry[] {
    if (this.partial && !this.partial.test(doc)) return [];
    // A sparse index skips documents that have none of its fields (an explicit null still counts).
    if (this.spec.sparse && this.fields.every((f) => !hasPath(doc, f))) return [];
    const perField = this.fields.map((f) => indexValues(doc, f));
    let combos: unknown[][] = [[]];
    for (const vals of perField) combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
    const seen = new Set<string>();
    const out: Entry[] = [];
    for (const values of combos) {
      const mapKey = values.map(canonicalKey).join('\u0001');
      if (!seen.has(mapKey)) {
        seen.add(mapKey);
        out.push({ mapKey, values });
      }
    }
    return out;
  }

  /** Throws MongoDB's E11000 if `doc` (with id key `id`) would duplicate another document's key. */
  checkUnique(doc: Document, id: string, ns: string): void {
    if (!this.spec.unique) return;
    for (const e of this.entries(doc)) {
      const holders = this.full.get(e.mapKey);
      if (holders && (holders.size > 1 || !holders.has(id))) throw this.duplicate(ns, e.values);
    }
  }

  /**
   * What replacing `before` by `after` changes in this index: the entries to drop and to add, or
   * undefined when the keys are the same (most updates touch few indexed fields).
   */
  change(before: Document, after: Document): IndexChange | undefined {
    const was = this.entries(before);
    const will = this.entries(after);
    const wasKeys = new Set(was.map((e) => e.mapKey));
    const willKeys = new Set(will.map((e) => e.mapKey));
    const removed = was.filter((e) => !willKeys.has(e.mapKey));
    const added = will.filter((e) => !wasKeys.has(e.mapKey));
    if (!removed.length && !added.length) return undefined;
    // The prefix map holds the id once per first-field value: an entry leaving with another of the
    // same first value staying (an array in a later field) must not take the id out of it.
    const prefixes = (entries: Entry[]) => new Set(this.prefix ? entries.map((e) => canonicalKey(e.values[0])) : []);
    const wasPrefix = prefixes(was);
    const willPrefix = prefixes(will);
    return {
      removed,
      added,
      prefixRemoved: [...wasPrefix].filter((k) => !willPrefix.has(k)),
      prefixAdded: [...willPrefix].filter((k) => !wasPrefix.has(k)),
    };
  }

  /** E11000 if an added entry is held by another document. */
  checkUniqueChange(change: IndexChange, id: string, ns: string): void {
    if (!this.spec.unique) return;
    for (const e of change.added) {
      const holders = this.full.get(e.mapKey);
      if (holders && (holders.size > 1 || !holders.has(id))) throw this.duplicate(ns, e.values);
    }
  }

  applyChange(change: IndexChange, id: string): void {
    for (const e of change.removed) removeFrom(this.full, e.mapKey, id);
    for (const e of change.added) addTo(this.full, e.mapKey, id);
    if (!this.prefix) return;
    for (const key of change.prefixRemoved) removeFrom(this.prefix, key, id);
    for (const key of change.prefixAdded) addTo(this.prefix, key, id);
  }

  duplicate(ns: string, values: unknown[]): Error {
    const keyValue: Document = {};
    this.fields.forEach((f, i) => (keyValue[f] = values[i] ?? null));
    return mongoError('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: ${shellString(keyValue)}`, {
      keyPattern: this.spec.key,
      keyValue,
    });
  }

  add(doc: Document, id: string): void {
    for (const e of this.entries(doc)) {
      addTo(this.full, e.mapKey, id);
      if (this.prefix) addTo(this.prefix, canonicalKey(e.values[0]), id);
    }
  }

  remove(doc: Document, id: string): void {
    for (const e of this.entries(doc)) {
      removeFrom(this.full, e.mapKey, id);
      if (this.prefix) removeFrom(this.prefix, canonicalKey(e.values[0]), id);
    }
  }

  /** Ids whose full key equals `values`, or whose first field equals `values[0]` when only that is given. */
  lookup(values: unknown[]): Set<string> | undefined {
    if (values.length === this.fields.length) return this.full.get(values.map(canonicalKey).join('\u0001'));
    return this.prefix?.get(canonicalKey(values[0]));
  }

  clear(): void {
    this.full.clear();
    this.prefix?.clear();
  }
}

function hasPath(doc: Document, path: string): boolean {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return false;
    cur = (cur as Document)[part];
  }
  return true;
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set) set.add(id);
  else map.set(key, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

/** MongoDB's default index name: `a_1_b_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}
