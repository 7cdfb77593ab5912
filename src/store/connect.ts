import mongoose, { type Connection } from 'mongoose';
import { AppError } from '../errors';
import { redactUri } from './resolve-store';

export interface ConnectOptions {
  /** How long to wait for a reachable server before giving up at start-up. */
  serverSelectionTimeoutMS?: number;
  /** Database to use when the URI names none (tests give each file its own). */
  dbName?: string;
}

/**
 * Opens the app's one mongoose connection. A server that cannot be reached becomes a
 * STORE_UNAVAILABLE error naming the URI without its password.
 */
export async function connectStore(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    ...(options.dbName ? { dbName: options.dbName } : {}),
    // Defence in depth: a filter value built from Slack input can never smuggle in a query
    // operator. The repositories' own operators are marked with mongoose's `trusted()`.
    sanitizeFilter: true,
    autoIndex: false,
  });
  try {
    await connection.asPromise();
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw new AppError(
      'STORE_UNAVAILABLE',
      `Cannot reach MongoDB at ${redactUri(uri)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
