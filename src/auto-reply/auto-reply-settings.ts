import { z } from 'zod';
import type { Logger } from '../logger';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { storedSetting, type StoredSetting } from '../store/repositories/stored-setting';

import { type AutoReplyKind } from '../domain/auto-reply';

export { AUTO_REPLY_KINDS, type AutoReplyKind } from '../domain/auto-reply';

/** The variables a text may use; anything else in `{{…}}` is refused when saved. */
export const AUTO_REPLY_VARIABLES = ['first_name', 'opens_at', 'business_name'] as const;

/**
 * WhatsApp refuses a text message over 4,096 characters, and a Slack text input holds at most
 * 3,000: the texts are edited there, and the room left covers what variables add when filled.
 */
export const AUTO_REPLY_MAX_CHARS = 3_000;

export interface AutoReplyText {
  enabled: boolean;
  text: string;
}

export type AutoReplySettings = Record<AutoReplyKind, AutoReplyText>;

/**
 * Until a lead turns them on, greeting and away stay off (an upgrade must not start messaging
 * customers by itself); HELP is on, because carriers and customers expect it to answer.
 */
export const DEFAULT_AUTO_REPLIES: AutoReplySettings = {
  greeting: { enabled: false, text: 'Hello {{first_name}}, thanks for writing to {{business_name}}. Someone from the team will answer here.' },
  away: { enabled: false, text: 'Thanks for your message. We are closed right now and back {{opens_at}}; we will answer then.' },
  help: { enabled: true, text: 'This is {{business_name}} on WhatsApp: a person from our team answers here. Reply STOP to stop messages from us.' },
};

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

const text = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(AUTO_REPLY_MAX_CHARS, `must be at most ${AUTO_REPLY_MAX_CHARS.toLocaleString('en')} characters (what a Slack text box holds)`)
  .superRefine((value, ctx) => {
    for (const [, name] of value.matchAll(VARIABLE)) {
      if (!(AUTO_REPLY_VARIABLES as readonly string[]).includes(name ?? '')) {
        ctx.addIssue({ code: 'custom', message: `{{${name}}} is not a variable; use ${AUTO_REPLY_VARIABLES.map((v) => `{{${v}}}`).join(', ')}` });
      }
    }
  });

const entry = z.strictObject({ enabled: z.boolean(), text });

/** The raw settings, as the modal or the store hands them over; errors are reported under `greeting.text` and the like. */
export const autoReplyInput = z.strictObject({ greeting: entry, away: entry, help: entry });

export type ParsedAutoReplies = { ok: true; settings: AutoReplySettings } | { ok: false; errors: Record<string, string> };

export function parseAutoReplies(raw: unknown): ParsedAutoReplies {
  const parsed = autoReplyInput.safeParse(raw);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.') || 'settings';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

export interface FillValues {
  firstName?: string;
  /** "Tue 09:00"; absent when the team never opens again (no schedule ahead). */
  opensAt?: string;
  businessName: string;
}

/** The text as the contact reads it. A missing first name reads "there"; a missing opening "soon". */
export function fillAutoReply(template: string, values: FillValues): string {
  return template.replace(VARIABLE, (whole, name: string) => {
    if (name === 'first_name') return values.firstName?.trim() || 'there';
    if (name === 'opens_at') return values.opensAt ?? 'soon';
    if (name === 'business_name') return values.businessName;
    return whole;
  });
}

/** The first word of a WhatsApp display name, as far as it looks like a name. */
export function firstNameOf(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first && /\p{L}/u.test(first) ? first.slice(0, 40) : undefined;
}

export const AUTO_REPLIES_KEY = 'auto-replies';

/** The texts in force: the stored ones, or the defaults while none are stored (or they no longer parse). */
export type AutoReplyStore = StoredSetting<AutoReplySettings, ParsedAutoReplies>;

export function createAutoReplyStore(deps: { settings: SettingsRepository; logger: Logger }): AutoReplyStore {
  return storedSetting(deps, {
    key: AUTO_REPLIES_KEY,
    parse: parseAutoReplies,
    value: (parsed) => parsed.settings,
    fallback: DEFAULT_AUTO_REPLIES,
    // Never send a text nobody can see in the form.
    invalid: 'stored automatic replies are invalid: the defaults are used until a lead saves them again',
  });
}
