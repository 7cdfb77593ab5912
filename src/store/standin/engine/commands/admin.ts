import { Long, type Document } from 'bson';
import { mongoError } from '../../errors';
import type { CommandHandler } from '../context';
import { MAX_BSON_SIZE } from '../values';

/** The server version the stand-in reports: wire version 21 is MongoDB 7.0. */
const VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;
const startedAt = Date.now();

const hello: CommandHandler = (ctx, _db, command, conn) => ({
  ...(command.hello === undefined ? { ismaster: true } : {}),
  helloOk: true,
  isWritablePrimary: true,
  maxBsonObjectSize: MAX_BSON_SIZE,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: ctx.now(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: conn.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

const buildInfo: CommandHandler = () => ({
  version: VERSION,
  versionArray: [7, 0, 0, 0],
  gitVersion: 'switchboard-standin',
  bits: 64,
  maxBsonObjectSize: MAX_BSON_SIZE,
  storageEngines: ['standin'],
  ok: 1,
});

const getParameter: CommandHandler = (_ctx, _db, command) => {
  const params: Document = { featureCompatibilityVersion: { version: '7.0' }, authenticationMechanisms: [] };
  if (command.getParameter === '*') return { ...params, ok: 1 };
  const out: Document = { ok: 1 };
  for (const key of Object.keys(command)) if (key in params) out[key] = params[key];
  return out;
};

const serverStatus: CommandHandler = (ctx) => ({
  host: 'standin',
  version: VERSION,
  process: 'switchboard-standin',
  uptime: Math.floor((Date.now() - startedAt) / 1000),
  localTime: ctx.now(),
  metrics: { cursor: { open: { total: Long.fromNumber(ctx.cursors.count) } } },
  ok: 1,
});

/** Test-only: moves the engine's clock forward and runs the TTL sweep at once. */
const advanceClock: CommandHandler = (ctx, _db, command) => {
  if (!ctx.enableTestCommands) throw mongoError('CommandNotFound', "no such command: 'standinAdvanceClock'");
  const ms = Number(command.ms);
  if (!Number.isFinite(ms) || ms < 0) throw mongoError('BadValue', 'standinAdvanceClock needs ms >= 0');
  ctx.moveClock(ms);
  return { removed: ctx.sweepTtl(), now: ctx.now(), ok: 1 };
};

const ok: CommandHandler = () => ({ ok: 1 });

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  serverStatus,
  endSessions: ok,
  killAllSessions: ok,
  killSessions: ok,
  refreshSessions: ok,
  whatsmyuri: (_ctx, _db, _cmd, conn) => ({ you: `127.0.0.1:${conn.connectionId}`, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  hostInfo: () => ({ system: { hostname: 'standin' }, os: {}, extra: {}, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['switchboard-standin'], parsed: {}, ok: 1 }),
  standinAdvanceClock: advanceClock,
};
