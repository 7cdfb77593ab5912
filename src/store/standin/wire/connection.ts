import type { Socket } from 'node:net';
import { BSONError, type Document } from 'bson';
import type { Logger } from 'pino';
import { StandinError } from '../errors';
import type { CommandExecutor } from '../types';
import { HEADER_SIZE, MAX_MESSAGE_SIZE, ProtocolError, decodeRequest, encodeOpMsg, encodeOpReply, readHeader, type Request } from './protocol';

let nextRequestId = 1;

/**
 * One client connection: frames the byte stream into messages, runs each command and writes the
 * reply. A malformed message closes this connection only, with a log line saying why.
 */
export function serveConnection(socket: Socket, connectionId: number, executor: CommandExecutor, logger: Logger): void {
  const log = logger.child({ connectionId, remote: `${socket.remoteAddress}:${socket.remotePort}` });
  let pending: Buffer = Buffer.alloc(0);

  socket.on('data', (chunk: Buffer) => {
    try {
      drain(chunk);
    } catch (err) {
      // Nothing a client sends may take the process down; this connection goes, the rest stay.
      log.error({ err }, 'stand-in connection failed');
      reject(err instanceof Error ? err.message : String(err));
    }
  });
  socket.on('error', (err) => log.debug({ err }, 'stand-in connection error'));

  function drain(chunk: Buffer): void {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4 && !socket.destroyed) {
      const length = pending.readInt32LE(0);
      if (length < HEADER_SIZE + 1 || length > MAX_MESSAGE_SIZE) return reject(`bad message length ${length}`);
      if (pending.length < length) return;
      const message = pending.subarray(0, length);
      pending = pending.subarray(length);
      if (!handle(message)) return;
    }
  }

  function handle(message: Buffer): boolean {
    let request: Request;
    try {
      request = decodeRequest(message);
    } catch (err) {
      if (err instanceof ProtocolError || err instanceof BSONError || err instanceof RangeError) {
        reject(err.message, readHeader(message).opCode);
        return false;
      }
      throw err;
    }
    const reply = execute(request);
    if (request.noReply) return true;
    const encode = request.legacy ? encodeOpReply : encodeOpMsg;
    socket.write(encode(reply, nextRequestId++, request.header.requestId));
    return true;
  }

  function execute(request: Request): Document {
    try {
      return executor.run(request.dbName, request.command, { connectionId });
    } catch (err) {
      if (err instanceof StandinError) return err.toReply();
      log.error({ err, command: Object.keys(request.command)[0] }, 'stand-in command failed unexpectedly');
      return { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: 1, codeName: 'InternalError' };
    }
  }

  function reject(reason: string, opCode?: number): void {
    log.warn({ reason, opCode }, 'closing stand-in connection: malformed wire message');
    pending = Buffer.alloc(0);
    socket.destroy();
  }
}
