import type { Document } from 'bson';
import type { Logger } from 'pino';
import type { Clock } from '../../../clock';
import { mongoError } from '../errors';
import type { CommandContext, CommandExecutor } from '../types';
import { Catalog } from './catalog';
import { adminCommands } from './commands/admin';
import { catalogCommands } from './commands/catalog-commands';
import { readCommands } from './commands/read';
import { writeCommands } from './commands/write';
import type { CommandHandler, EngineContext } from './context';
import { CursorStore } from './cursors';
import { sweepTtl } from './ttl';

export interface EngineOptions {
  clock: Clock;
  logger: Logger;
  enableTestCommands: boolean;
}

/** Fields drivers attach to any command that say nothing about what it does. */
const GENERIC_FIELDS = ['$db', 'lsid', '$clusterTime', '$readPreference', 'apiVersion', 'apiStrict', 'apiDeprecationErrors'];

/**
 * The stand-in's database engine. Every command runs synchronously inside `run`, so each is atomic
 * with respect to all others: findAndModify finds, modifies and writes back its document within
 * one call, and no other connection's command can run in between.
 */
export class Engine implements CommandExecutor {
  private readonly ctx: EngineContext;
  private readonly handlers: Record<string, CommandHandler>;
  private clockOffsetMs = 0;

  constructor(options: EngineOptions) {
    const catalog = new Catalog();
    const cursors = new CursorStore();
    this.ctx = {
      catalog,
      cursors,
      logger: options.logger,
      now: () => new Date(options.clock().getTime() + this.clockOffsetMs),
      moveClock: (ms) => (this.clockOffsetMs += ms),
      sweepTtl: () => sweepTtl(catalog, this.ctx.now()),
      enableTestCommands: options.enableTestCommands,
    };
    this.handlers = { ...adminCommands, ...catalogCommands, ...readCommands, ...writeCommands };
  }

  run(dbName: string, command: Document, conn: CommandContext): Document {
    const name = Object.keys(command)[0];
    if (command.txnNumber !== undefined || command.startTransaction !== undefined || command.autocommit !== undefined) {
      throw mongoError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = name === undefined ? undefined : this.handlers[name];
    if (!handler || name === undefined) throw mongoError('CommandNotFound', `no such command: '${name ?? ''}'`);
    const body: Document = { ...command };
    for (const f of GENERIC_FIELDS) delete body[f];
    return handler(this.ctx, dbName, body, conn);
  }

  /** Deletes expired documents of TTL indexes and idle cursors; returns how many documents went. */
  sweepTtl(): number {
    this.ctx.cursors.reapIdle(this.ctx.now().getTime());
    return this.ctx.sweepTtl();
  }
}
