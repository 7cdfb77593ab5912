import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { isAppError, type AppError } from '../../src/errors';
import { validEnv } from '../support/env';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID')) return (err as AppError).details.problems as string[];
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('when the environment is empty, then every required key is listed in one error', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN /),
        expect.stringMatching(/^SLACK_SIGNING_SECRET /),
        expect.stringMatching(/^SLACK_INBOX_CHANNEL /),
        expect.stringMatching(/^PRIVACY_KEY is required \(unless STORE=memory\)/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('when several keys are invalid, then each is named with its rule', () => {
    const problems = problemsOf(
      validEnv({ SLACK_BOT_TOKEN: 'xapp-wrong', PORT: 'eighty', TZ_REPORTS: 'Mars/Base', SLACK_LEADS: 'U0LEAD01,bob' }),
    );
    expect(problems).toEqual([
      'SLACK_BOT_TOKEN must start with xoxb-',
      'SLACK_LEADS must be Slack user IDs like U0123ABCD',
      'PORT must be a port number',
      'TZ_REPORTS must be an IANA time zone like Europe/London',
    ]);
  });

  it('when the WhatsApp keys are set, then they are read in the units the app uses', () => {
    const config = loadConfig(
      validEnv({
        WHATSAPP_GROUPS: 'true',
        WHATSAPP_READY_TIMEOUT_SEC: '45',
        WHATSAPP_LEASE_TTL_SEC: '20',
        WHATSAPP_SEND_PER_CHAT_SEC: '0',
        WHATSAPP_SEND_PER_MINUTE: '6',
        WHATSAPP_SEND_JITTER_MS: '0',
      }),
    );
    expect(config.whatsapp).toMatchObject({
      allowGroups: true,
      readyTimeoutMs: 45_000,
      leaseTtlMs: 20_000,
      throttle: { perChatIntervalMs: 0, globalPerMinute: 6, jitterMs: 0 },
    });
  });

  it('when the WhatsApp keys are out of range, then each is named', () => {
    const problems = problemsOf(
      validEnv({ WHATSAPP_GROUPS: 'yes', WHATSAPP_LEASE_TTL_SEC: '2', WHATSAPP_SEND_PER_MINUTE: '500', WHATSAPP_SEND_JITTER_MS: '-1' }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/WHATSAPP_GROUPS must be true or false/);
    expect(problems.join('\n')).toMatch(/WHATSAPP_LEASE_TTL_SEC/);
    expect(problems.join('\n')).toMatch(/WHATSAPP_SEND_PER_MINUTE must be at most 120/);
    expect(problems.join('\n')).toMatch(/WHATSAPP_SEND_JITTER_MS/);
  });

  it('when the hygiene keys are set, then schedules must be 5-field cron and days within range, each named', () => {
    const config = loadConfig(validEnv({ INACTIVE_DAYS: '60', HYGIENE_REPORT_SCHEDULE: ' 30 8 * * 5 ', TZ_REPORTS: 'Europe/Lisbon' }));
    expect(config.hygiene).toMatchObject({ inactiveDays: 60, noReplyDays: 30, optInExpiryDays: 7, schedules: { 'flag-inactive': '0 3 * * *', 'hygiene-report': '30 8 * * 5' } });
    expect(config.reportsTimezone).toBe('Europe/Lisbon');
    const problems = problemsOf(
      validEnv({ HYGIENE_FLAG_SCHEDULE: 'daily', HYGIENE_EXPIRY_SCHEDULE: '0 0 3 * * *', INACTIVE_DAYS: '2', OPT_IN_EXPIRY_DAYS: 'week', HYGIENE_REPORT_CHANNEL: '#reports', TZ_REPORTS: 'Mars/Olympus' }),
    );
    expect(problems).toEqual([
      'TZ_REPORTS must be an IANA time zone like Europe/London',
      'INACTIVE_DAYS must be at least 7',
      'OPT_IN_EXPIRY_DAYS must be a number of days',
      'HYGIENE_FLAG_SCHEDULE must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily)',
      'HYGIENE_EXPIRY_SCHEDULE must be a cron expression with 5 fields, like "0 3 * * *" (03:00 daily)',
      'HYGIENE_REPORT_CHANNEL must be a Slack channel ID like C0123ABCD',
    ]);
  });

  it('when OPT_IN_ANSWER_WINDOW_HOURS is set, then it is read in milliseconds; unset it is a day; out of range or fractional it is named', () => {
    expect(loadConfig(validEnv()).bridge.optInAnswerWindowMs).toBe(24 * 3600_000);
    expect(loadConfig(validEnv({ OPT_IN_ANSWER_WINDOW_HOURS: '48' })).bridge.optInAnswerWindowMs).toBe(48 * 3600_000);
    expect(problemsOf(validEnv({ OPT_IN_ANSWER_WINDOW_HOURS: '0' }))).toEqual(['OPT_IN_ANSWER_WINDOW_HOURS must be at least 1']);
    expect(problemsOf(validEnv({ OPT_IN_ANSWER_WINDOW_HOURS: '169', PORT: 'x' }))).toEqual(['OPT_IN_ANSWER_WINDOW_HOURS must be at most 168', 'PORT must be a port number']);
    expect(problemsOf(validEnv({ OPT_IN_ANSWER_WINDOW_HOURS: '1.5' }))).toEqual(['OPT_IN_ANSWER_WINDOW_HOURS must be whole hours']);
    expect(problemsOf(validEnv({ OPT_IN_ANSWER_WINDOW_HOURS: 'a day' }))).toEqual(['OPT_IN_ANSWER_WINDOW_HOURS must be a number of hours']);
  });

  it('when the automatic-reply and broadcast keys are set, then they are read in the units the app uses; unset they have their defaults; wrong ones are named', () => {
    const config = loadConfig(validEnv({ GREETING_AFTER_DAYS: '7', AWAY_EVERY_HOURS: '6', BUSINESS_NAME: ' Acme Bikes ', BROADCAST_MAX_PER_WEEK: '3', BROADCAST_QUIET_HOURS: '22:30-07:15', BROADCAST_OPT_OUT_LINE: 'Reply STOP to end.', BROADCAST_APPROVAL_OVER: '0' }));
    expect(config.autoReplies).toEqual({ greetingAfterMs: 7 * 86_400_000, awayEveryMs: 6 * 3_600_000, businessName: 'Acme Bikes' });
    expect(config.broadcasts).toEqual({ maxPerWeek: 3, quietHours: { from: '22:30', to: '07:15' }, optOutLine: 'Reply STOP to end.', approvalOver: 0 });
    expect(loadConfig(validEnv()).broadcasts).toEqual({ maxPerWeek: 2, quietHours: { from: '21:00', to: '08:00' }, optOutLine: 'Reply STOP to stop these messages.', approvalOver: 50 });
    const problems = problemsOf(validEnv({ GREETING_AFTER_DAYS: '0', BROADCAST_QUIET_HOURS: '9pm-8am', BROADCAST_MAX_PER_WEEK: '2.5' })).join('\n');
    expect(problems).toMatch(/GREETING_AFTER_DAYS.*at least 1/);
    expect(problems).toMatch(/BROADCAST_QUIET_HOURS.*HH:MM-HH:MM/);
    expect(problems).toMatch(/BROADCAST_MAX_PER_WEEK.*whole number/);
  });

  it('when PHONE_DEFAULT_COUNTRY is set, then it must be a country libphonenumber knows', () => {
    expect(loadConfig(validEnv({ PHONE_DEFAULT_COUNTRY: 'br' })).phoneDefaultCountry).toBe('BR');
    expect(problemsOf(validEnv({ PHONE_DEFAULT_COUNTRY: 'XX' }))).toEqual(['PHONE_DEFAULT_COUNTRY must be a two-letter country code like GB or BR']);
  });

  it('when the error is shown, then it points at the README setup section', () => {
    expect(() => loadConfig({})).toThrow(/README\.md → "Setup"/);
  });

  it('when both MONGODB_URI and STORE=memory are set, then it refuses to guess', () => {
    expect(problemsOf(validEnv({ MONGODB_URI: 'mongodb://db:27017/sb', STORE: 'memory' }))).toEqual([
      'STORE=memory and MONGODB_URI are both set: choose one',
    ]);
  });

  it('when only required keys are set, then defaults fill the rest', () => {
    const config = loadConfig(validEnv());
    expect(config.port).toBe(3000);
    expect(config.slack.appToken).toBeUndefined();
    expect(config.slack.leads).toEqual([]);
    expect(config.store).toEqual({ mongodbUri: undefined, inProcess: false, systemBinary: undefined, dataDir: 'data' });
    expect(config.whatsapp).toEqual({
      gateway: 'wwebjs',
      simulatorPublic: false,
      dataPath: 'data/whatsapp',
      chromiumPath: '/usr/bin/chromium',
      noSandbox: false,
      allowGroups: false,
      readyTimeoutMs: 120_000,
      leaseTtlMs: 30_000,
      throttle: { perChatIntervalMs: 3_000, globalPerMinute: 20, jitterMs: 1_500 },
    });
    expect(config.reportsTimezone).toBe('UTC');
  });

  it('when optional keys are empty strings (as in a copied .env.example), then they count as unset', () => {
    const config = loadConfig(validEnv({ SLACK_APP_TOKEN: '', MONGODB_URI: '', STORE: '', PORT: '' }));
    expect(config.slack.appToken).toBeUndefined();
    expect(config.store.mongodbUri).toBeUndefined();
    expect(config.port).toBe(3000);
  });

  it('when the privacy key is missing, short or rotated, then it is required unless STORE=memory, and previous keys are kept for lookups', () => {
    expect(problemsOf(validEnv({ PRIVACY_KEY: undefined }))).toEqual([expect.stringMatching(/^PRIVACY_KEY is required .*openssl rand -hex 32/)]);
    expect(problemsOf(validEnv({ PRIVACY_KEY: 'short' }))).toEqual(['PRIVACY_KEY must be at least 32 characters (openssl rand -hex 32)']);
    expect(problemsOf(validEnv({ PRIVACY_KEY_PREVIOUS: 'x'.repeat(32) + ',tiny' }))).toEqual(['PRIVACY_KEY_PREVIOUS must be at least 32 characters (openssl rand -hex 32)']);
    const memory = loadConfig(validEnv({ PRIVACY_KEY: undefined, STORE: 'memory' })).privacy;
    expect(memory).toMatchObject({ ephemeral: true, previousKeys: [] });
    expect(memory.key).toMatch(/^[0-9a-f]{64}$/);
    const rotated = loadConfig(validEnv({ PRIVACY_KEY: 'n'.repeat(40), PRIVACY_KEY_PREVIOUS: ` ${'o'.repeat(32)} , ${'p'.repeat(32)}` })).privacy;
    expect(rotated).toEqual({ key: 'n'.repeat(40), previousKeys: ['o'.repeat(32), 'p'.repeat(32)], ephemeral: false });
  });

  it('when agents, the health token and the sandbox switch are set, then they are read; bad values are named', () => {
    const config = loadConfig(validEnv({ SLACK_AGENTS: 'U0AGENT1, U0AGENT2', SLACK_AGENTS_GROUP: 'S0AGENTS', HEALTH_TOKEN: 'h'.repeat(16), WHATSAPP_NO_SANDBOX: 'true' }));
    expect(config.slack).toMatchObject({ agents: ['U0AGENT1', 'U0AGENT2'], agentsGroup: 'S0AGENTS' });
    expect(config.health.token).toBe('h'.repeat(16));
    expect(config.whatsapp.noSandbox).toBe(true);
    expect(problemsOf(validEnv({ SLACK_AGENTS: 'ana', SLACK_AGENTS_GROUP: 'agents', HEALTH_TOKEN: 'short', WHATSAPP_NO_SANDBOX: 'yes' }))).toEqual([
      'SLACK_AGENTS must be Slack user IDs like U0123ABCD',
      'SLACK_AGENTS_GROUP must be a user group ID like S0123ABCD',
      'HEALTH_TOKEN must be at least 16 characters',
      'WHATSAPP_NO_SANDBOX must be true or false',
    ]);
  });

  it('when leads are listed with spaces, then they are trimmed into IDs', () => {
    expect(loadConfig(validEnv({ SLACK_LEADS: ' U0LEAD01 , W0LEAD02,' })).slack.leads).toEqual(['U0LEAD01', 'W0LEAD02']);
  });

  it('when STORE=memory is set, then the in-process store is chosen', () => {
    expect(loadConfig(validEnv({ STORE: 'memory' })).store.inProcess).toBe(true);
  });
});

describe('loadConfig and .env.example', () => {
  // Read from the file itself, so a placeholder added there later is covered without touching this test.
  const example = readFileSync(path.join(__dirname, '../../.env.example'), 'utf8')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, key, value]) => ({ key: key!, value: value! }));

  it('when .env.example is read, then it has the Slack placeholders this test is about', () => {
    expect(example.map((e) => e.key)).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_INBOX_CHANNEL']));
  });

  it('when a key keeps its value from .env.example, then it is refused as the example value, unless that value is the default anyway', () => {
    const withoutKey = (key: string) => {
      try {
        return loadConfig(validEnv({ [key]: undefined }));
      } catch {
        return undefined; // a required key: its example value can never stand for a default
      }
    };
    for (const { key, value } of example) {
      let config: ReturnType<typeof loadConfig> | undefined;
      let problems: string[] = [];
      try {
        config = loadConfig(validEnv({ [key]: value }));
      } catch (err) {
        problems = isAppError(err, 'CONFIG_INVALID') ? ((err as AppError).details.problems as string[]) : [String(err)];
      }
      if (config) {
        // Accepted: only when it is what leaving the key unset gives (PORT=3000, LOG_LEVEL=info…).
        expect({ key, config }).toEqual({ key, config: withoutKey(key) });
      } else {
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^${key} is still the example value from \\.env\\.example`))]);
      }
    }
  });

  it('when the four Slack keys are all left as in .env.example, then each is named in one error', () => {
    const fromExample = Object.fromEntries(example.filter((e) => e.key.startsWith('SLACK_')).map((e) => [e.key, e.value]));
    const problems = problemsOf(validEnv(fromExample));
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_INBOX_CHANNEL']);
  });

  it('when real-looking values are set, then they pass', () => {
    const config = loadConfig(
      validEnv({ SLACK_BOT_TOKEN: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', SLACK_SIGNING_SECRET: '8f14e45fceea167a5a36dedd4bea2543', SLACK_APP_TOKEN: 'xapp-1-A0123ABCD-1234567890-abcdef', SLACK_INBOX_CHANNEL: 'C07QWERTY12' }),
    );
    expect(config.slack).toMatchObject({ botToken: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', appToken: 'xapp-1-A0123ABCD-1234567890-abcdef', inboxChannel: 'C07QWERTY12' });
  });
});
