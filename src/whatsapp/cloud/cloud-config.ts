import { z } from 'zod';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/**
 * The Cloud API's environment keys (WHATSAPP_GATEWAY=cloud), part of config.ts's one schema. Each is
 * optional there; which must be set is decided by {@link cloudMissing}, so every missing one is
 * listed at once with the rest of the configuration's problems.
 */
export const cloudEnv = {
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: optional(z.string().regex(/^\d{5,20}$/, 'must be the numeric phone number ID from WhatsApp Manager')),
  WHATSAPP_CLOUD_WABA_ID: optional(z.string().regex(/^\d{5,20}$/, 'must be the numeric WhatsApp Business Account ID')),
  WHATSAPP_CLOUD_TOKEN: optional(z.string().min(20, 'must be a system-user access token')),
  WHATSAPP_CLOUD_APP_SECRET: optional(z.string().min(16, 'must be the Meta app secret (App settings → Basic)')),
  WHATSAPP_CLOUD_VERIFY_TOKEN: optional(z.string().min(16, 'must be at least 16 characters (you choose it; Meta sends it back)')),
  WHATSAPP_CLOUD_API_URL: optional(z.url('must be a URL')),
  WHATSAPP_CLOUD_API_VERSION: optional(z.string().regex(/^v\d{2,3}\.\d$/, 'must be a Graph API version like v23.0')),
  WHATSAPP_CLOUD_SEND_PER_SEC: optional(z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(1000, 'must be at most 1000')),
};

const REQUIRED = ['WHATSAPP_CLOUD_PHONE_NUMBER_ID', 'WHATSAPP_CLOUD_WABA_ID', 'WHATSAPP_CLOUD_TOKEN', 'WHATSAPP_CLOUD_APP_SECRET', 'WHATSAPP_CLOUD_VERIFY_TOKEN'] as const;

/** The keys WHATSAPP_GATEWAY=cloud needs that are not set, as configuration problems. */
export function cloudMissing(env: Record<string, string | undefined>): string[] {
  if (env.WHATSAPP_GATEWAY !== 'cloud') return [];
  return REQUIRED.filter((key) => !env[key]).map((key) => `${key} is required with WHATSAPP_GATEWAY=cloud (docs/cloud-api.md)`);
}

export interface CloudConfig {
  phoneNumberId: string;
  wabaId: string;
  /** A system-user token: redacted wherever it could be logged. */
  token: string;
  /** Signs the webhooks Meta sends (X-Hub-Signature-256). */
  appSecret: string;
  /** The webhook handshake's shared word (GET /whatsapp/webhook). */
  verifyToken: string;
  /** The Graph API's origin; tests point it at a local fake. Requests go to `<apiUrl>/<apiVersion>/…`. */
  apiUrl: string;
  apiVersion: string;
  /** Meta's default throughput per business number. */
  sendPerSecond: number;
}

type CloudEnv = { [K in keyof typeof cloudEnv]?: z.infer<(typeof cloudEnv)[K]> };

/** The Cloud API settings, when that gateway is chosen (then {@link cloudMissing} has vouched for the required keys). */
export function cloudConfig(e: CloudEnv): CloudConfig | undefined {
  if (!e.WHATSAPP_CLOUD_PHONE_NUMBER_ID || !e.WHATSAPP_CLOUD_WABA_ID || !e.WHATSAPP_CLOUD_TOKEN || !e.WHATSAPP_CLOUD_APP_SECRET || !e.WHATSAPP_CLOUD_VERIFY_TOKEN) return undefined;
  return {
    phoneNumberId: e.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
    wabaId: e.WHATSAPP_CLOUD_WABA_ID,
    token: e.WHATSAPP_CLOUD_TOKEN,
    appSecret: e.WHATSAPP_CLOUD_APP_SECRET,
    verifyToken: e.WHATSAPP_CLOUD_VERIFY_TOKEN,
    apiUrl: (e.WHATSAPP_CLOUD_API_URL ?? 'https://graph.facebook.com').replace(/\/+$/, ''),
    apiVersion: e.WHATSAPP_CLOUD_API_VERSION ?? 'v23.0',
    sendPerSecond: e.WHATSAPP_CLOUD_SEND_PER_SEC ?? 80,
  };
}
