/** A complete, valid environment for loadConfig, with overrides (undefined removes a key). */
export function validEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'test-signing-secret',
    SLACK_INBOX_CHANNEL: 'C0INBOX01',
    PRIVACY_KEY: 'test-privacy-key-0123456789abcdef0123456789',
    ...overrides,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}
