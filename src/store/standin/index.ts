import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock';
import { Engine } from './engine/engine';
import { startWireServer } from './wire/server';

export interface StandinOptions {
  logger: Logger;
  /** Defaults to 127.0.0.1: the stand-in has no authentication, so it never listens beyond loopback. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: Clock;
  /** How often TTL indexes are swept (MongoDB's TTL monitor runs every 60 s). */
  ttlIntervalMs?: number;
  /** Accept the stand-in's test-only commands (e.g. `standinAdvanceClock`), like mongod's enableTestCommands. */
  enableTestCommands?: boolean;
}

export interface StandinServer {
  /** A plain `mongodb://` URI the official driver connects to. */
  uri: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the in-process MongoDB stand-in: a wire-protocol server over an in-memory engine.
 * Nothing it holds survives the process.
 */
export async function startStandin(options: StandinOptions): Promise<StandinServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger.child({ component: 'standin' });
  const engine = new Engine({
    clock: options.clock ?? systemClock,
    logger,
    enableTestCommands: options.enableTestCommands ?? false,
  });
  const wire = await startWireServer({ host, port: options.port ?? 0, executor: engine, logger });
  const sweep = setInterval(() => {
    try {
      engine.sweepTtl();
    } catch (err) {
      logger.error({ err }, 'TTL sweep failed');
    }
  }, options.ttlIntervalMs ?? 60_000);
  sweep.unref();
  return {
    uri: `mongodb://${host}:${wire.port}/`,
    port: wire.port,
    async close() {
      clearInterval(sweep);
      await wire.close();
    },
  };
}
