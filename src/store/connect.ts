import mongoose, { type Connection } from 'mongoose';
import { AppError } from '../errors';
import { redactUri } from './resolve-store';

export interface ConnectOptions {
  /** How long to wait for a reachable server before giving up at start-up. */
  serverSelectionTimeoutMS?: number;
}

/**
 * Opens the app's one mongoose connection. A server that cannot be reached becomes a
 * STORE_UNAVAILABLE error naming the URI without its password.
 */
export async function connectStore(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    // Filters built from Slack input must never smuggle in query operators.
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
