import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeSlackApi } from './fake-slack-api';

// RFC 6455: the key every server appends to the client's Sec-WebSocket-Key before hashing it.
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * Slack's Socket Mode endpoint, faked: a WebSocket server on 127.0.0.1 that says `hello` as Slack
 * does, answers pings, and can drop or refuse connections. `attach(api)` makes the fake Web API's
 * `apps.connections.open` hand out its `ws://` URL, so the app reaches it only through SLACK_API_URL.
 *
 * Written against RFC 6455 directly (text, close, ping and pong frames only) rather than with a
 * WebSocket library: the app's Socket Mode client is undici's, and the `ws` package is not a
 * dependency of this project.
 */
export class FakeSocketMode {
  /** Every WebSocket handshake that was accepted, in order; `open` ones are still connected. */
  readonly connections: Array<{ socket: Socket; open: boolean }> = [];
  /** False: handshakes are refused (HTTP 503), as when Slack's socket servers cannot be reached. */
  accepting = true;
  /** False: the handshake completes but `hello` never comes. */
  sayHello = true;
  private readonly server = createServer((_req, res) => void res.writeHead(404).end());
  url = '';

  async start(): Promise<this> {
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket) => this.upgrade(req, socket));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link/?ticket=fake`;
    return this;
  }

  /** `apps.connections.open` on `api` answers with this server's URL from now on. */
  attach(api: FakeSlackApi): void {
    api.respond('apps.connections.open', () => ({ ok: true, url: this.url }));
  }

  /** How many connections are open now. */
  get openCount(): number {
    return this.connections.filter((c) => c.open).length;
  }

  /** Ends every open connection without a close frame, as a network failure would. */
  dropAll(): void {
    for (const c of this.connections) if (c.open) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Socket): void {
    const key = req.headers['sec-websocket-key'];
    if (!this.accepting || typeof key !== 'string') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    const entry = { socket, open: true };
    this.connections.push(entry);
    socket.on('close', () => (entry.open = false));
    socket.on('error', () => (entry.open = false));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let frame = readFrame(pending); frame; frame = readFrame(pending)) {
        pending = pending.subarray(frame.length);
        if (frame.opcode === OP.ping) socket.write(encodeFrame(OP.pong, frame.payload));
        if (frame.opcode === OP.close) socket.end(encodeFrame(OP.close, frame.payload.subarray(0, 2)));
      }
    });
    if (this.sayHello) socket.write(encodeFrame(OP.text, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' } }))));
  }
}

export async function startFakeSocketMode(api: FakeSlackApi): Promise<FakeSocketMode> {
  const fake = await new FakeSocketMode().start();
  fake.attach(api);
  return fake;
}

/** A server's frame: never masked, always final. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length]) : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([head, payload]);
}

/** One client frame (always masked) from the front of `buf`, or undefined until it has all arrived. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  let length = buf[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (buf[1]! & 0x80) !== 0;
  const mask = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + length) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return { opcode, payload, length: offset + length };
}
