import pino, { stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log line: credentials. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.signingSecret',
  'appSecret',
  '*.appSecret',
  'verifyToken',
  '*.verifyToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'password',
  '*.password',
];

const CENSOR = '[redacted]';

/**
 * Keys whose value names a contact (a WhatsApp id or a phone number): logged as the contact's keyed
 * pseudonym, so the lines of one contact can still be found together, and after erasure matched to
 * what the ledger keeps, but nobody reading logs learns the number.
 */
const CONTACT_KEYS = new Set([
  'contact',
  'contacts',
  'contactWaId',
  'chat',
  'chatId',
  'from',
  'to',
  'waId',
  'alias',
  'aliasWaId',
  'twin',
  'jid',
  'author',
  'participant',
  'phone',
  'e164',
]);

/** Keys whose value is a person's name: never logged (a name has no use in a log line). */
const NAME_KEYS = new Set(['name', 'pushName', 'pushname', 'displayName', 'notifyName', 'verifiedName', 'shortName']);

/** How deep below a line's own fields contact and name keys are looked for. */
const MAX_DEPTH = 3;

/** A WhatsApp id inside any text (a message id `false_4477…@c.us_3EB0…` included), and an E.164 number. */
const WA_ID_IN_TEXT = /(?<!\d)\+?(\d{5,20})@(c\.us|s\.whatsapp\.net|lid)/g;
const E164_IN_TEXT = /(?<!\d)\+(\d{8,15})(?!\d)/g;
/** A bare run of digits as long as a phone number, in error messages only (elsewhere it may be a time or a Slack ts). */
const DIGITS_IN_TEXT = /(?<![\d.:])(\d{9,15})(?![\d.:])/g;
/** What the app's own code may log on purpose: a pseudonym stays as it is. */
const PSEUDONYM = /^ps_[0-9a-f]{20}$/;

export interface LoggerOptions {
  level: string;
  /** Human-readable lines for a terminal; JSON otherwise (production, log shippers). */
  pretty: boolean;
  /**
   * The keyed pseudonym of a WhatsApp id (`createPrivacy(config.privacy).pseudonym`). Contact ids
   * in log lines are replaced by it; without it they are blanked out.
   */
  pseudonym?: (waId: string) => string;
  /** Whether pino-pretty can be loaded (tests pretend it cannot). Default: resolve it. */
  prettyAvailable?: () => boolean;
}

/**
 * Builds the one root logger; everything else gets a child of it. Personal data is taken out here,
 * whatever a call site logs: contact ids (see CONTACT_KEYS, at a line's top level, in a child's
 * bindings and in nested objects) become pseudonyms, names are blanked out, and WhatsApp ids and
 * E.164 numbers are replaced in any text of the line (messages, error messages and stacks).
 * Free text that may hold a name (a consent gate's reason) must not be logged: log a code.
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const scrub = createScrubber(options.pseudonym);
  // pino-pretty is a dev dependency: a production install (`npm ci --omit=dev`) run with
  // NODE_ENV=development must still start, so it logs JSON instead of failing on the transport.
  const prettyMissing = options.pretty && !(options.prettyAvailable ?? canLoadPinoPretty)();
  const pretty = options.pretty && !prettyMissing;
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    // Serializers see a line's top-level fields and a child's bindings alike; the log formatter
    // then looks inside the other fields' objects; the write hook, at the finished line.
    serializers: {
      ...Object.fromEntries([...CONTACT_KEYS].map((key) => [key, scrub.contact])),
      ...Object.fromEntries([...NAME_KEYS].map((key) => [key, () => CENSOR])),
      err: scrub.error,
    },
    formatters: { log: scrub.nested },
    hooks: { streamWrite: scrub.text },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
  const logger = destination && !pretty ? pino(pinoOptions, destination) : pino(pinoOptions);
  if (prettyMissing) logger.warn('NODE_ENV=development asks for pretty logs, but pino-pretty is not installed (a dev dependency): logging JSON');
  return logger;
}

function canLoadPinoPretty(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** A logger that drops everything, for tests and tools that want silence. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function createScrubber(pseudonym: LoggerOptions['pseudonym']) {
  const stand = (id: string) => (pseudonym ? pseudonym(id) : CENSOR);
  /** One contact id, however written (`+4477…`, `4477…`, `4477…@c.us`, `…@s.whatsapp.net`, `…@lid`). */
  const idValue = (value: string): string => {
    if (PSEUDONYM.test(value)) return value;
    const number = /^\+?(\d{5,20})(?:@(?:c\.us|s\.whatsapp\.net))?$/.exec(value.trim());
    return stand(number ? `${number[1]}@c.us` : value.trim());
  };
  const text = (s: string): string =>
    s.replace(WA_ID_IN_TEXT, (_m, digits: string, server: string) => stand(`${digits}@${server === 'lid' ? 'lid' : 'c.us'}`)).replace(E164_IN_TEXT, (_m, digits: string) => stand(`${digits}@c.us`));

  const digits = (s: string): string => s.replace(DIGITS_IN_TEXT, (_m, run: string) => stand(`${run}@c.us`));

  /** A value under a contact key: ids become pseudonyms; an object (a whole contact) is looked inside. */
  const contact = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return idValue(value);
    if (Array.isArray(value)) return value.map((v) => contact(v, depth));
    if (isPlainObject(value) && depth < MAX_DEPTH) return fields(value, depth + 1);
    return value;
  };
  /** A copy of `obj` with contact and name keys scrubbed, in it and in its nested objects. */
  const fields = (obj: Record<string, unknown>, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      if (CONTACT_KEYS.has(key)) out[key] = contact(value, depth);
      else if (NAME_KEYS.has(key)) out[key] = CENSOR;
      else if (isPlainObject(value) && depth < MAX_DEPTH) out[key] = fields(value, depth + 1);
      else if (Array.isArray(value) && depth < MAX_DEPTH) out[key] = value.map((v) => (isPlainObject(v) ? fields(v, depth + 1) : v));
      else out[key] = value;
    }
    return out;
  };
  return {
    contact: (value: unknown) => contact(value),
    text,
    /** The line's own fields: its top-level contact and name keys are the serializers' (above). */
    nested(obj: Record<string, unknown>): Record<string, unknown> {
      let out: Record<string, unknown> | undefined;
      for (const [key, value] of Object.entries(obj)) {
        if (CONTACT_KEYS.has(key) || NAME_KEYS.has(key) || key === 'err') continue;
        if (!isPlainObject(value) && !Array.isArray(value)) continue;
        out ??= { ...obj };
        out[key] = isPlainObject(value) ? fields(value, 1) : value.map((v: unknown) => (isPlainObject(v) ? fields(v, 1) : v));
      }
      return out ?? obj;
    },
    /** pino's error serializer, then the digits of a number taken out of its message and stack. */
    error(err: unknown): unknown {
      const serialized = stdSerializers.err(err as Error) as unknown;
      if (typeof serialized === 'string') return digits(text(serialized));
      if (!serialized || typeof serialized !== 'object') return serialized;
      const out = fields(serialized as Record<string, unknown>, 1);
      // An error's own `name` is its class (`AppError`), not a person's.
      if (typeof (serialized as { name?: unknown }).name === 'string') out.name = (serialized as { name: string }).name;
      for (const key of ['message', 'stack'] as const) {
        if (typeof out[key] === 'string') out[key] = digits(text(out[key]));
      }
      return out;
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
