import { createServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { CommandExecutor } from '../types';
import { serveConnection } from './connection';

export interface WireServerOptions {
  host: string;
  port: number;
  executor: CommandExecutor;
  logger: Logger;
}

export interface WireServer {
  port: number;
  close(): Promise<void>;
}

/** A TCP server speaking MongoDB's wire protocol to the official driver. */
export async function startWireServer(options: WireServerOptions): Promise<WireServer> {
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, nextConnectionId++, options.executor, options.logger);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
