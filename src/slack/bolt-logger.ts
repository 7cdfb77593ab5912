import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const toPino: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/**
 * Where a line of Bolt's (or its WebClient's, or Socket Mode's) goes on to quote a payload: request and
 * response bodies, WebSocket messages, ack bodies. Payloads carry what contacts and agents wrote,
 * names and numbers, so they are cut off.
 */
const PAYLOAD = /(\(body: |[{[])[\s\S]*$/;
const OMITTED = '[payload omitted]';

/** Bolt's text without the payloads it quotes; an error it passes goes to `err` (scrubbed by our serializer). */
function boltLine(msgs: unknown[]): [{ err?: unknown }, string] {
  const err = msgs.find((m) => m instanceof Error);
  const text = msgs
    .filter((m) => m !== err)
    .map((m) => (typeof m === 'string' ? m.replace(PAYLOAD, (_all, start: string) => (start === '(body: ' ? `${start}${OMITTED})` : OMITTED)) : OMITTED))
    .join(' ');
  return [err ? { err } : {}, text];
}

/** Bolt's own log lines go through pino, so they share format, level and redaction with ours. */
export function boltLogger(logger: Logger): BoltLogger {
  let log = logger.child({ component: 'bolt' });
  // Bolt logs several debug lines per request (ack sent, …): format only what the level lets through.
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...msgs: unknown[]) => {
    if (log.isLevelEnabled(level)) log[level](...boltLine(msgs));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (level: LogLevel) => {
      log.level = toPino[level];
    },
    getLevel: () => (Object.entries(toPino).find(([, v]) => v === log.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: (name: string) => {
      log = log.child({ logger: name }); // not `name`: that key is a person's name, blanked out
    },
  };
}
