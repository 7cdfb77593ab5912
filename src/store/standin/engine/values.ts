import { Binary, Decimal128, EJSON, Long, ObjectId, Timestamp, calculateObjectSize, type Document } from 'bson';
import * as mingoUtil from 'mingo/util';
import { serializeOptions } from './codec';

/**
 * MongoDB's order of BSON values (mingo's). Bound once: mingo's CommonJS exports are getters, and
 * sorting calls this millions of times.
 */
export const compareValues: (a: unknown, b: unknown) => number = mingoUtil.compare;

/** MongoDB's maxBsonObjectSize. */
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

/**
 * Copies plain objects and arrays; BSON value classes (ObjectId, Decimal128, Binary, …) are shared
 * because the engine never mutates them. Dates are copied because mingo's updates may.
 */
export function deepClone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => deepClone(v)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
    return out as T;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function bsonSize(doc: Document): number {
  return calculateObjectSize(doc, serializeOptions);
}

/**
 * A string that is equal for two values exactly when MongoDB's index considers them equal: numbers
 * of any BSON numeric type compare by value, ObjectIds by bytes, embedded documents by their
 * ordered fields. Used as the key of index maps.
 */
export function canonicalKey(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null) return 'z';
  switch (typeof value) {
    case 'number':
      return `n${Object.is(value, -0) ? 0 : value}`;
    case 'string':
      return `s${value}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'bigint':
      return `n${value}`;
  }
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (value instanceof Date) return `t${value.getTime()}`;
  if (value instanceof Long) return `n${value.toString()}`;
  if (value instanceof Decimal128) return `n${normaliseDecimal(value)}`;
  if (value instanceof Timestamp) return `T${value.toString()}`;
  if (value instanceof Binary) return `x${value.sub_type}:${Buffer.from(value.buffer).toString('base64')}`;
  if (value instanceof RegExp) return `r${value.source}/${value.flags}`;
  if (Array.isArray(value)) return `a[${value.map(canonicalKey).join(',')}]`;
  if (isPlainObject(value)) {
    return `d{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalKey(v)}`)
      .join(',')}}`;
  }
  return `j${EJSON.stringify(value as Document)}`;
}

function normaliseDecimal(d: Decimal128): string {
  const n = Number(d.toString());
  // Decimal128('1.0') equals 1 in MongoDB; only exactly representable values share the number key.
  return Number.isFinite(n) && Decimal128.fromString(String(n)).toString() === d.toString() ? String(n) : d.toString();
}

/**
 * The values an index holds for `path` in `doc`: arrays are expanded (multikey), arrays of
 * subdocuments are walked through, a missing field is `null` and an empty array `undefined`,
 * as in MongoDB.
 */
export function indexValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length === 0 ? [null] : out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else for (const v of value) out.push(v);
    } else out.push(value === undefined ? null : value);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part) && value[Number(part)] !== undefined) collect(value[Number(part)], parts, i + 1, out);
    else for (const el of value) if (isPlainObject(el)) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(value) && part in value) collect(value[part], parts, i + 1, out);
}

/** The value a sort key uses: for arrays the smallest element ascending, the largest descending. */
export function sortValue(doc: Document, path: string, direction: 1 | -1): unknown {
  // Fast path for the common case, a top-level scalar field: no path walking, no allocation.
  if (!path.includes('.')) {
    const v: unknown = doc[path];
    if (!Array.isArray(v)) return v === undefined ? null : v;
  }
  const values = indexValues(doc, path);
  let best = values[0];
  for (const v of values) if (compareValues(v, best) * direction < 0) best = v;
  return best;
}

/** Compares two documents by a MongoDB sort specification. */
export function sortComparator(spec: Document): (a: Document, b: Document) => number {
  const keys = Object.entries(spec).map(([path, dir]) => [path, Number(dir) < 0 ? -1 : 1] as const);
  return (a, b) => {
    for (const [path, dir] of keys) {
      const c = compareValues(sortValue(a, path, dir), sortValue(b, path, dir));
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}

/** Renders a value the way MongoDB's error messages do: `{ email: "a@b.c" }`. */
export function shellString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(shellString).join(', ')} ]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${shellString(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return String(value);
}
