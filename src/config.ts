import { randomBytes } from 'node:crypto';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { AppError } from './errors';
import type { JobName } from './domain/hygiene';
import { cronSchedule, inactiveDays, noReplyDays, optInExpiryDays } from './hygiene/rules';
import { autoReplyConfig, autoReplyEnv, type AutoReplyConfig } from './auto-reply/auto-reply-config';
import { broadcastConfig, broadcastEnv, type BroadcastConfig } from './broadcast/broadcast-config';
import { cloudConfig, cloudEnv, cloudMissing, type CloudConfig } from './whatsapp/cloud/cloud-config';

const channelId = z.string().regex(/^[CG][A-Z0-9]{5,}$/, 'must be a Slack channel ID like C0123ABCD');
const userIdList = z
  .string()
  .transform((s) => s.split(',').map((id) => id.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{5,}$/, 'must be Slack user IDs like U0123ABCD')));
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

function seconds(min: number, max: number) {
  return z.coerce.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

/** A secret for keyed hashes (HMAC-SHA256): long enough that it cannot be guessed (`openssl rand -hex 32`). */
const privacyKey = z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)');

const timezone = z.string().refine(isTimeZone, 'must be an IANA time zone like Europe/London');

/**
 * `.env.example`'s placeholders. A copied file that was never filled in passes every format rule,
 * then fails later and obscurely (invalid_auth, channel_not_found); here it fails at once, by name.
 * A test reads `.env.example` and keeps this list in step with it.
 */
const EXAMPLE_VALUES: Readonly<Record<string, string>> = {
  SLACK_BOT_TOKEN: 'xoxb-your-bot-token',
  SLACK_SIGNING_SECRET: 'your-signing-secret',
  SLACK_APP_TOKEN: 'xapp-your-app-token',
  SLACK_INBOX_CHANNEL: 'C0123456789',
};

function exampleValuesLeft(env: Record<string, string | undefined>): string[] {
  return Object.entries(EXAMPLE_VALUES)
    .filter(([key, example]) => env[key]?.trim() === example)
    .map(([key]) => `${key} is still the example value from .env.example: set your own (README.md → "Setup")`);
}

/** Every environment key the app reads, with its rule. README's configuration table mirrors this. */
const schema = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required' }).startsWith('xoxb-', 'must start with xoxb-'),
  SLACK_SIGNING_SECRET: z.string({ error: 'is required' }).min(1, 'is required'),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', 'must start with xapp-')),
  SLACK_API_URL: optional(z.url('must be a URL')),
  SLACK_INBOX_CHANNEL: z.string({ error: 'is required' }).pipe(channelId),
  SLACK_ADMIN_CHANNEL: optional(channelId),
  SLACK_LEADS: optional(userIdList),
  SLACK_LEADS_GROUP: optional(z.string().regex(/^S[A-Z0-9]{5,}$/, 'must be a user group ID like S0123ABCD')),
  SLACK_AGENTS: optional(userIdList),
  SLACK_AGENTS_GROUP: optional(z.string().regex(/^S[A-Z0-9]{5,}$/, 'must be a user group ID like S0123ABCD')),
  PRIVACY_KEY: optional(privacyKey),
  PRIVACY_KEY_PREVIOUS: optional(z.string().transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean)).pipe(z.array(privacyKey))),
  HEALTH_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
  MONGODB_URI: optional(z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')),
  STORE: optional(z.enum(['memory'], { error: 'must be "memory" or unset' })),
  MONGOMS_SYSTEM_BINARY: optional(z.string()),
  DATA_DIR: optional(z.string()),
  WHATSAPP_GATEWAY: optional(z.enum(['wwebjs', 'cloud', 'simulator', 'none'], { error: 'must be wwebjs, cloud, simulator or none' })),
  ...cloudEnv,
  SIMULATOR_PUBLIC: optional(z.enum(['true', 'false'], { error: 'must be true or false' })),
  WHATSAPP_DATA_PATH: optional(z.string()),
  CHROMIUM_PATH: optional(z.string()),
  WHATSAPP_NO_SANDBOX: optional(z.enum(['true', 'false'], { error: 'must be true or false' })),
  WHATSAPP_GROUPS: optional(z.enum(['true', 'false'], { error: 'must be true or false' })),
  WHATSAPP_READY_TIMEOUT_SEC: optional(seconds(10, 3600)),
  WHATSAPP_LEASE_TTL_SEC: optional(seconds(10, 600)),
  WHATSAPP_SEND_PER_CHAT_SEC: optional(seconds(0, 3600)),
  WHATSAPP_SEND_PER_MINUTE: optional(z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(120, 'must be at most 120')),
  WHATSAPP_SEND_JITTER_MS: optional(z.coerce.number({ error: 'must be a number' }).int().min(0).max(60_000, 'must be at most 60000')),
  SLACK_POST_PER_SEC: optional(z.coerce.number({ error: 'must be a number' }).positive('must be above 0').max(100_000)),
  SLACK_POST_BURST: optional(z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(100_000)),
  MEDIA_MAX_MB: optional(z.coerce.number({ error: 'must be a number' }).positive('must be above 0').max(15, 'must be at most 15 (MongoDB keeps each file in one document)')),
  INTERNAL_NOTE_PREFIX: optional(z.string().trim().min(1).max(10, 'must be at most 10 characters')),
  OPT_OUT_KEYWORDS_EXTRA: optional(z.string()),
  OPT_OUT_CONFIRMATION: optional(z.string().min(1).max(1000)),
  OPT_IN_REQUEST: optional(z.string().min(1).max(1000)),
  OPT_IN_ANSWER_WINDOW_HOURS: optional(z.coerce.number({ error: 'must be a number of hours' }).int('must be whole hours').min(1, 'must be at least 1').max(168, 'must be at most 168')),
  ...autoReplyEnv,
  ...broadcastEnv,
  PORT: optional(z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535)),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  NODE_ENV: optional(z.string()),
  TZ_REPORTS: optional(timezone),
  INACTIVE_DAYS: optional(inactiveDays),
  OPT_IN_NO_REPLY_DAYS: optional(noReplyDays),
  OPT_IN_EXPIRY_DAYS: optional(optInExpiryDays),
  HYGIENE_FLAG_SCHEDULE: optional(cronSchedule),
  HYGIENE_EXPIRY_SCHEDULE: optional(cronSchedule),
  HYGIENE_REPORT_SCHEDULE: optional(cronSchedule),
  HYGIENE_REPORT_CHANNEL: optional(channelId),
  UNDO_SECONDS: optional(seconds(0, 60)),
  AGENT_SIGNATURE: optional(z.enum(['none', 'first_name', 'full_name'], { error: 'must be none, first_name or full_name' })),
  PHONE_DEFAULT_COUNTRY: optional(
    z
      .string()
      .transform((c) => c.toUpperCase())
      .refine((c) => isSupportedCountry(c), 'must be a two-letter country code like GB or BR'),
  ),
});

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    /** Set → Socket Mode; unset → HTTP receiver on `port`. */
    appToken?: string;
    apiUrl?: string;
    inboxChannel: string;
    adminChannel?: string;
    leads: string[];
    leadsGroup?: string;
    /** Who may use the app at all (with the leads); both unset: every workspace member is an agent. */
    agents: string[];
    agentsGroup?: string;
  };
  /**
   * The secret behind suppression keys and pseudonyms (HMAC-SHA256). Never stored in MongoDB.
   * `previousKeys`: keys rotated out, still tried when looking a number up (docs/consent.md → Erasure).
   * `ephemeral`: no key was configured (STORE=memory only), so one was made up for this process.
   */
  privacy: { key: string; previousKeys: string[]; ephemeral: boolean };
  /** `/readyz` details need `Authorization: Bearer <token>`; unset: only the public one-word body. */
  health: { token?: string };
  store: { mongodbUri?: string; inProcess: boolean; systemBinary?: string; dataDir: string };
  whatsapp: {
    /** `simulator`: a local page plays the customers (README → Try it); `none`: Slack only. */
    gateway: 'wwebjs' | 'cloud' | 'simulator' | 'none';
    /** WHATSAPP_GATEWAY=cloud: the WhatsApp Business Platform (docs/whatsapp.md). */
    cloud?: CloudConfig;
    /** The simulator page listens on every address, not only loopback. */
    simulatorPublic: boolean;
    dataPath: string;
    chromiumPath: string;
    /** Run Chromium without its sandbox (only where it cannot have one; it renders strangers' content). */
    noSandbox: boolean;
    /** Mirror group chats too (status broadcasts never are). */
    allowGroups: boolean;
    readyTimeoutMs: number;
    leaseTtlMs: number;
    /** Anti-ban pacing, applied inside the gateway to every send. */
    throttle: { perChatIntervalMs: number; globalPerMinute: number; jitterMs: number };
  };
  /** Mirroring between WhatsApp and Slack threads. */
  bridge: {
    /** Slack's per-channel posting rate (about 1/s sustained, short bursts), shared by every post to a channel. */
    slackPostsPerSecond: number;
    slackPostBurst: number;
    /** A thread reply starting with this stays in Slack. */
    internalNotePrefix: string;
    /** Media up to this size is relayed; larger files get a note with their size. */
    mediaMaxBytes: number;
    /** Added to the built-in opt-out keywords (docs/consent.md). */
    extraOptOutKeywords: string[];
    optOutConfirmation: string;
    optInRequest: string;
    /** An unquoted YES confirms an opt-in request only as the contact's first message this soon after it went out. */
    optInAnswerWindowMs: number;
    /** A reply waits this long before it is handed to WhatsApp; the agent can cancel meanwhile. */
    undoMs: number;
    /** Added under each agent reply: `— Ana` (first name), `— Ana Lima` (full name), or nothing. */
    signature: 'none' | 'first_name' | 'full_name';
  };
  autoReplies: AutoReplyConfig;
  broadcasts: BroadcastConfig;
  port: number;
  log: { level: string; pretty: boolean };
  /** Time zone of the job schedules and of dates in reports. */
  reportsTimezone: string;
  /** List hygiene defaults; leads may override some in Slack (`/wa hygiene settings`). */
  hygiene: {
    inactiveDays: number;
    noReplyDays: number;
    optInExpiryDays: number;
    schedules: Record<JobName, string>;
    /** Unset: the admin channel; neither set: scheduled reports are skipped (and logged). */
    reportChannel?: string;
  };
  /** Country for phone numbers typed without a country code (`07911 123456`); unset: international only. */
  phoneDefaultCountry?: CountryCode;
}

/**
 * Reads and validates the whole configuration at once. Throws one CONFIG_INVALID error listing
 * every missing or invalid key, so an operator fixes them in one pass instead of one per restart.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  // The key outlives every database it protects: a store that keeps data needs one given to it.
  const privacyMissing = !env.PRIVACY_KEY && env.STORE !== 'memory'
    ? ['PRIVACY_KEY is required (unless STORE=memory): a secret of at least 32 characters, e.g. from `openssl rand -hex 32` (docs/consent.md → Erasure)']
    : [];
  const examples = exampleValuesLeft(env);
  const cloud = cloudMissing(env);
  if (!parsed.success || privacyMissing.length > 0 || examples.length > 0 || cloud.length > 0) {
    const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
    throw configError([...problems, ...examples, ...privacyMissing, ...cloud]);
  }
  const e = parsed.data;
  if (e.MONGODB_URI && e.STORE) {
    throw configError(['STORE=memory and MONGODB_URI are both set: choose one']);
  }
  const dataDir = e.DATA_DIR ?? 'data';
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      inboxChannel: e.SLACK_INBOX_CHANNEL,
      adminChannel: e.SLACK_ADMIN_CHANNEL,
      leads: e.SLACK_LEADS ?? [],
      leadsGroup: e.SLACK_LEADS_GROUP,
      agents: e.SLACK_AGENTS ?? [],
      agentsGroup: e.SLACK_AGENTS_GROUP,
    },
    privacy: {
      key: e.PRIVACY_KEY ?? randomBytes(32).toString('hex'),
      previousKeys: e.PRIVACY_KEY_PREVIOUS ?? [],
      ephemeral: !e.PRIVACY_KEY,
    },
    health: { token: e.HEALTH_TOKEN },
    store: {
      mongodbUri: e.MONGODB_URI,
      inProcess: e.STORE === 'memory',
      systemBinary: e.MONGOMS_SYSTEM_BINARY,
      dataDir,
    },
    whatsapp: {
      gateway: e.WHATSAPP_GATEWAY ?? 'wwebjs',
      simulatorPublic: e.SIMULATOR_PUBLIC === 'true',
      cloud: e.WHATSAPP_GATEWAY === 'cloud' ? cloudConfig(e) : undefined,
      dataPath: e.WHATSAPP_DATA_PATH ?? `${dataDir}/whatsapp`,
      chromiumPath: e.CHROMIUM_PATH ?? '/usr/bin/chromium',
      noSandbox: e.WHATSAPP_NO_SANDBOX === 'true',
      allowGroups: e.WHATSAPP_GROUPS === 'true',
      readyTimeoutMs: (e.WHATSAPP_READY_TIMEOUT_SEC ?? 120) * 1000,
      leaseTtlMs: (e.WHATSAPP_LEASE_TTL_SEC ?? 30) * 1000,
      throttle: {
        perChatIntervalMs: (e.WHATSAPP_SEND_PER_CHAT_SEC ?? 3) * 1000,
        globalPerMinute: e.WHATSAPP_SEND_PER_MINUTE ?? 20,
        jitterMs: e.WHATSAPP_SEND_JITTER_MS ?? 1500,
      },
    },
    bridge: {
      slackPostsPerSecond: e.SLACK_POST_PER_SEC ?? 1,
      slackPostBurst: e.SLACK_POST_BURST ?? 4,
      internalNotePrefix: e.INTERNAL_NOTE_PREFIX ?? '//',
      mediaMaxBytes: Math.round((e.MEDIA_MAX_MB ?? 15) * 1024 * 1024),
      extraOptOutKeywords: (e.OPT_OUT_KEYWORDS_EXTRA ?? '').split(',').map((w) => w.trim()).filter(Boolean),
      optOutConfirmation:
        e.OPT_OUT_CONFIRMATION ?? 'You are unsubscribed and will get no more messages from us. Reply START to subscribe again.',
      optInRequest: e.OPT_IN_REQUEST ?? 'Reply YES to receive messages from us again. You can reply STOP at any time.',
      optInAnswerWindowMs: (e.OPT_IN_ANSWER_WINDOW_HOURS ?? 24) * 3600_000,
      undoMs: (e.UNDO_SECONDS ?? 5) * 1000,
      signature: e.AGENT_SIGNATURE ?? 'none',
    },
    autoReplies: autoReplyConfig(e),
    broadcasts: broadcastConfig(e),
    port: e.PORT ?? 3000,
    log: { level: e.LOG_LEVEL ?? 'info', pretty: e.NODE_ENV === 'development' },
    reportsTimezone: e.TZ_REPORTS ?? 'UTC',
    hygiene: {
      inactiveDays: e.INACTIVE_DAYS ?? 90,
      noReplyDays: e.OPT_IN_NO_REPLY_DAYS ?? 30,
      optInExpiryDays: e.OPT_IN_EXPIRY_DAYS ?? 7,
      schedules: {
        'flag-inactive': e.HYGIENE_FLAG_SCHEDULE ?? '0 3 * * *',
        'expire-opt-ins': e.HYGIENE_EXPIRY_SCHEDULE ?? '15 3 * * *',
        'hygiene-report': e.HYGIENE_REPORT_SCHEDULE ?? '0 9 * * 1',
      },
      reportChannel: e.HYGIENE_REPORT_CHANNEL ?? e.SLACK_ADMIN_CHANNEL,
    },
    phoneDefaultCountry: e.PHONE_DEFAULT_COUNTRY as CountryCode | undefined,
  };
}

function configError(problems: string[]): AppError {
  return new AppError(
    'CONFIG_INVALID',
    `Configuration is incomplete or invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      'See README.md → "Setup" and .env.example for what each key means.',
    { problems },
  );
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
