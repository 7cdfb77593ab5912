import type { Document } from 'bson';

/** What the wire layer knows about the connection a command arrived on. */
export interface CommandContext {
  /** Server-assigned, increasing; reported by `hello` as `connectionId`. */
  connectionId: number;
}

/**
 * Runs database commands. The wire layer decodes a request into `(dbName, command)` — with any
 * OP_MSG document-sequence sections merged in as arrays under their identifier (`documents`,
 * `updates`, `deletes`) — and encodes whatever this returns as the reply.
 *
 * `run` is synchronous on purpose: a command executes within one turn of the event loop, so no
 * other command can interleave with it. That is what makes every command (findAndModify included)
 * atomic with respect to all others, without locks.
 *
 * Throw {@link StandinError} for MongoDB-shaped failures; the reply then carries `ok: 0`.
 */
export interface CommandExecutor {
  run(dbName: string, command: Document, ctx: CommandContext): Document;
  /** Called when a connection closes, so its cursors can be released. */
  connectionClosed?(connectionId: number): void;
}
