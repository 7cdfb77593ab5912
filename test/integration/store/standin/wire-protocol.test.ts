import { Socket, connect } from 'node:net';
import { Writable } from 'node:stream';
import { deserialize, serialize, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { createLogger } from '../../../../src/logger';
import { startStandin, type StandinServer } from '../../../../src/store/standin';

/**
 * The stand-in's wire layer over raw sockets: the handshake, OP_MSG sections, and malformed input
 * closing one connection while the server and other connections carry on. These drive the
 * stand-in directly (it is the thing under test), not the run's shared server.
 */
describe('stand-in wire protocol', () => {
  let server: StandinServer;
  const logLines: Document[] = [];
  let client: MongoClient;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Document);
        done();
      },
    });
    server = await startStandin({ logger: createLogger({ level: 'warn', pretty: false }, sink) });
    client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 2000 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('when a legacy OP_QUERY isMaster arrives, then an OP_REPLY advertises hello support and no compressors', async () => {
    const reply = await roundTrip(server.port, opQuery('admin.$cmd', { isMaster: 1, helloOk: true, compression: ['zlib'] }));
    expect(reply.opCode).toBe(1);
    const doc = deserialize(reply.body.subarray(20));
    expect(doc).toMatchObject({ ok: 1, helloOk: true, isWritablePrimary: true, maxBsonObjectSize: 16 * 1024 * 1024 });
    expect(doc.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(doc.compression).toBeUndefined();
  });

  it('when an insert carries its documents in a document-sequence section, then all are inserted', async () => {
    const msg = opMsg({ insert: 'seq', $db: 'wiretest' }, { documents: [{ _id: 1 }, { _id: 2 }, { _id: 3 }] });
    const reply = await roundTrip(server.port, msg);
    expect(reply.opCode).toBe(2013);
    expect(deserialize(reply.body.subarray(5))).toMatchObject({ ok: 1, n: 3 });
    expect(await client.db('wiretest').collection('seq').countDocuments()).toBe(3);
  });

  it('when a message sets moreToCome, then no reply is sent and the write still happens', async () => {
    const socket = await open(server.port);
    socket.write(opMsg({ insert: 'fire', documents: [{ _id: 'x' }], $db: 'wiretest' }, undefined, 2));
    const reply = await exchange(socket, opMsg({ find: 'fire', filter: {}, $db: 'wiretest' }));
    socket.destroy();
    expect(deserialize(reply.body.subarray(5)).cursor.firstBatch).toEqual([{ _id: 'x' }]);
  });

  it.each([
    ['a length below the header size', Buffer.from([3, 0, 0, 0, 1, 2, 3])],
    ['a length over 48 MB', header(60_000_000, 2013)],
    ['an unknown opcode', Buffer.concat([header(21, 9999), Buffer.alloc(5)])],
    ['truncated BSON', truncatedBson()],
    ['an unknown required flag bit', opMsg({ ping: 1, $db: 'admin' }, undefined, 1 << 4)],
  ])('when a client sends %s, then that connection is closed with a log line and others keep working', async (_what, bytes) => {
    const before = logLines.length;
    const socket = await open(server.port);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(bytes);
    await closed;
    expect(logLines.slice(before).some((l) => l.msg === 'closing stand-in connection: malformed wire message')).toBe(true);
    expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
  });
});

function header(length: number, opCode: number, requestId = 7): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opQuery(ns: string, query: Document): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from(`${ns}\0`), Buffer.from([0, 0, 0, 0, 255, 255, 255, 255]), serialize(query)]);
  return Buffer.concat([header(16 + body.length, 2004), body]);
}

function opMsg(body: Document, sequences?: Record<string, Document[]>, flags = 0): Buffer {
  const flagBuf = Buffer.alloc(4);
  flagBuf.writeUInt32LE(flags, 0);
  const parts = [flagBuf, Buffer.from([0]), serialize(body)];
  for (const [id, docs] of Object.entries(sequences ?? {})) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`), ...docs.map((d) => serialize(d))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat(parts);
  return Buffer.concat([header(16 + rest.length, 2013), rest]);
}

function truncatedBson(): Buffer {
  const good = opMsg({ ping: 1, $db: 'admin' });
  good.writeInt32LE(500, 21); // the body claims 500 bytes; the message holds far fewer
  return good;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

interface Reply {
  opCode: number;
  body: Buffer;
}

/** Sends one message and reads one complete reply. */
function exchange(socket: Socket, msg: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        socket.off('data', onData);
        resolve({ opCode: buf.readInt32LE(12), body: buf.subarray(16, buf.readInt32LE(0)) });
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('connection closed before a reply')));
    socket.write(msg);
  });
}

async function roundTrip(port: number, msg: Buffer): Promise<Reply> {
  const socket = await open(port);
  try {
    return await exchange(socket, msg);
  } finally {
    socket.destroy();
  }
}
