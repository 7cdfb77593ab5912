import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const toPino: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt's own log lines go through pino, so they share format, level and redaction with ours. */
export function boltLogger(logger: Logger): BoltLogger {
  let log = logger.child({ component: 'bolt' });
  // Bolt logs several debug lines per request (ack sent, …): format only what the level lets through.
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...msgs: unknown[]) => {
    if (log.isLevelEnabled(level)) log[level](msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
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
      log = log.child({ name });
    },
  };
}
