import type { webApi } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { agentProfile } from './agent-name';

const CACHE_MS = 10 * 60_000;

export type SignatureStyle = Config['bridge']['signature'];

/**
 * The line added under an agent's replies on WhatsApp (`— Ana`), from their Slack profile, so the
 * customer knows who is answering. Profiles are read at most every ten minutes per agent; an
 * unreadable profile means no signature this time rather than a wrong one.
 */
export function agentSignatures(style: SignatureStyle, clock: Clock): (client: webApi.WebClient, user: string) => Promise<string> {
  const cache = new Map<string, { line: string; at: number }>();
  return async (client, user) => {
    if (style === 'none') return '';
    const hit = cache.get(user);
    if (hit && clock().getTime() - hit.at < CACHE_MS) return hit.line;
    const profile = await agentProfile(client, user);
    // Not cached when unreadable: the next reply tries again rather than going unsigned for minutes.
    if (!profile) return '';
    const full = (profile.real_name || profile.display_name || '').trim();
    const name = style === 'first_name' ? (profile.first_name || full.split(/\s+/)[0] || '').trim() : full;
    const line = name ? `— ${name}` : '';
    cache.set(user, { line, at: clock().getTime() });
    return line;
  };
}

/** The reply as the customer gets it: the text, then the signature on its own line. */
export function signed(text: string, signature: string): string {
  return signature && text ? `${text}\n${signature}` : text;
}
