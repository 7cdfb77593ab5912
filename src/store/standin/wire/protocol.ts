import { deserialize, serialize, type Document } from 'bson';
import { deserializeOptions, serializeOptions } from '../engine/codec';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** mongod's maxMessageSizeBytes: anything claiming to be larger is not a message we accept. */
export const MAX_MESSAGE_SIZE = 48_000_000;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
/** OP_MSG flag bits 0-15 are "required": a receiver must fail on any it does not know. */
const KNOWN_REQUIRED = CHECKSUM_PRESENT | MORE_TO_COME;

/** A malformed message: the connection it arrived on is closed. */
export class ProtocolError extends Error {}

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface Request {
  header: Header;
  dbName: string;
  command: Document;
  /** OP_MSG moreToCome: the client expects no reply (unacknowledged writes). */
  noReply: boolean;
  legacy: boolean;
}

export function readHeader(buf: Buffer): Header {
  return { length: buf.readInt32LE(0), requestId: buf.readInt32LE(4), responseTo: buf.readInt32LE(8), opCode: buf.readInt32LE(12) };
}

/** Decodes one complete message (header included) into a command. */
export function decodeRequest(msg: Buffer): Request {
  const header = readHeader(msg);
  if (header.opCode === OP_MSG) return decodeOpMsg(header, msg);
  if (header.opCode === OP_QUERY) return decodeOpQuery(header, msg);
  if (header.opCode === OP_COMPRESSED) throw new ProtocolError('OP_COMPRESSED received but no compressor was negotiated');
  throw new ProtocolError(`unknown opcode ${header.opCode}`);
}

function decodeOpMsg(header: Header, msg: Buffer): Request {
  const flags = msg.readUInt32LE(HEADER_SIZE);
  if ((flags & 0xffff & ~KNOWN_REQUIRED) !== 0) throw new ProtocolError(`unknown required OP_MSG flag bits ${flags}`);
  const end = flags & CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Record<string, Document[]> = {};
  while (offset < end) {
    const kind = msg.readUInt8(offset++);
    if (kind === 0) {
      const size = bsonLength(msg, offset, end);
      body = deserialize(msg.subarray(offset, offset + size), deserializeOptions);
      offset += size;
    } else if (kind === 1) {
      const size = msg.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('document sequence overruns the message');
      const nul = msg.indexOf(0, offset + 4);
      if (nul < 0 || nul >= sectionEnd) throw new ProtocolError('document sequence identifier is not terminated');
      const id = msg.toString('utf8', offset + 4, nul);
      const docs: Document[] = (sequences[id] = []);
      let p = nul + 1;
      while (p < sectionEnd) {
        const docSize = bsonLength(msg, p, sectionEnd);
        docs.push(deserialize(msg.subarray(p, p + docSize), deserializeOptions));
        p += docSize;
      }
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  const command: Document = { ...body, ...sequences };
  const dbName = body.$db;
  if (typeof dbName !== 'string') throw new ProtocolError('OP_MSG body has no $db');
  return { header, dbName, command, noReply: (flags & MORE_TO_COME) !== 0, legacy: false };
}

function decodeOpQuery(header: Header, msg: Buffer): Request {
  const nameEnd = msg.indexOf(0, HEADER_SIZE + 4);
  if (nameEnd < 0) throw new ProtocolError('OP_QUERY collection name is not terminated');
  const fullName = msg.toString('utf8', HEADER_SIZE + 4, nameEnd);
  const docStart = nameEnd + 1 + 8;
  const size = bsonLength(msg, docStart, msg.length);
  let command = deserialize(msg.subarray(docStart, docStart + size), deserializeOptions);
  // Drivers may wrap the command as { $query: {...}, $readPreference: ... }.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
  const [dbName, coll] = splitNs(fullName);
  if (coll !== '$cmd') throw new ProtocolError(`legacy OP_QUERY on ${fullName} is not supported`);
  return { header, dbName, command, noReply: false, legacy: true };
}

function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return dot < 0 ? [ns, ''] : [ns.slice(0, dot), ns.slice(dot + 1)];
}

/** The length of the BSON document at `offset`, checked against the bytes that are there. */
function bsonLength(buf: Buffer, offset: number, end: number): number {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end || buf[offset + size - 1] !== 0) throw new ProtocolError('malformed BSON document length');
  return size;
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeOpMsg(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serialize(reply, serializeOptions);
  const prefix = Buffer.alloc(5); // flagBits (0) + section kind 0
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, requestId, responseTo, OP_MSG), prefix, body]);
}

export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serialize(reply, serializeOptions);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(HEADER_SIZE + 20 + body.length, requestId, responseTo, OP_REPLY), fields, body]);
}
