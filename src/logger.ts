import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log line: credentials and phone numbers. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'password',
  '*.password',
  'phone',
  '*.phone',
  'e164',
  '*.e164',
];

export interface LoggerOptions {
  level: string;
  /** Human-readable lines for a terminal; JSON otherwise (production, log shippers). */
  pretty: boolean;
}

/** Builds the one root logger; everything else gets a child of it. */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const pinoOptions = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(options.pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
  return destination && !options.pretty ? pino(pinoOptions, destination) : pino(pinoOptions);
}

/** A logger that drops everything, for tests and tools that want silence. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
