import { Long, type Document } from 'bson';
import { mongoError } from '../errors';
import { MAX_BSON_SIZE, bsonSize } from './values';

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
  lastUsedMs: number;
}

const DEFAULT_FIRST_BATCH = 101;
/** mongod's cursorTimeoutMillis default. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * Server-side cursors: the result set is materialised when the cursor opens and handed out in
 * batches by getMore. The driver may send getMore on any pooled connection, so cursors are not
 * tied to one; like mongod, they die when exhausted, killed, or idle for ten minutes.
 */
export class CursorStore {
  private readonly open = new Map<number, OpenCursor>();
  private nextId = 1;

  /** The reply for a command that returns a cursor (`find`, `aggregate`, `listIndexes`, …). */
  firstBatch(ns: string, docs: Document[], batchSize: unknown, nowMs: number, singleBatch = false): Document {
    const size = batchSizeOf(batchSize, DEFAULT_FIRST_BATCH);
    const first = size === 0 && !singleBatch ? [] : singleBatch ? docs : takeBatch(docs, 0, size);
    let id = 0;
    if (first.length < docs.length) {
      id = this.nextId++;
      this.open.set(id, { ns, docs, position: first.length, lastUsedMs: nowMs });
    }
    return { cursor: { firstBatch: first, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  getMore(command: Document, dbName: string, nowMs: number): Document {
    const id = Number(command.getMore);
    const cursor = this.open.get(id);
    const ns = `${dbName}.${String(command.collection)}`;
    if (!cursor || cursor.ns !== ns) throw mongoError('CursorNotFound', `cursor id ${id} not found`);
    cursor.lastUsedMs = nowMs;
    const size = batchSizeOf(command.batchSize, Number.MAX_SAFE_INTEGER) || Number.MAX_SAFE_INTEGER;
    const batch = takeBatch(cursor.docs, cursor.position, size);
    cursor.position += batch.length;
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.open.delete(id);
    return { cursor: { nextBatch: batch, id: Long.fromNumber(exhausted ? 0 : id), ns }, ok: 1 };
  }

  kill(ids: unknown[]): Document {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Number(raw);
      (this.open.delete(id) ? killed : notFound).push(Long.fromNumber(id));
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  reapIdle(nowMs: number): void {
    for (const [id, c] of this.open) if (nowMs - c.lastUsedMs > IDLE_TIMEOUT_MS) this.open.delete(id);
  }

  get count(): number {
    return this.open.size;
  }
}

/**
 * Up to `count` documents from `start`, and no more than fit in one reply: like mongod, a batch
 * stops before 16 MiB of BSON (always holding at least one document), the rest waits for getMore.
 */
function takeBatch(docs: Document[], start: number, count: number): Document[] {
  const end = Math.min(docs.length, start + count);
  let bytes = 0;
  for (let i = start; i < end; i++) {
    bytes += bsonSize(docs[i]!);
    if (bytes > MAX_BSON_SIZE && i > start) return docs.slice(start, i);
  }
  return docs.slice(start, end);
}

function batchSizeOf(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw mongoError('BadValue', `batchSize must be non-negative, but received: ${String(value)}`);
  return n;
}
