import type { Document } from 'bson';
import type { Logger } from 'pino';
import type { CommandContext } from '../types';
import type { Catalog } from './catalog';
import type { CursorStore } from './cursors';

/** What every command handler can reach. */
export interface EngineContext {
  catalog: Catalog;
  cursors: CursorStore;
  logger: Logger;
  /** The engine's notion of now: the injected clock plus any offset a test moved it by. */
  now(): Date;
  moveClock(ms: number): void;
  sweepTtl(): number;
  enableTestCommands: boolean;
}

/** A database command: synchronous, so it runs without any other command interleaving. */
export type CommandHandler = (ctx: EngineContext, db: string, command: Document, conn: CommandContext) => Document;
