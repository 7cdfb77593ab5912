import { createHash, createHmac } from 'node:crypto';
import type { Config } from '../config';

/**
 * Keyed one-way names for a contact, made with PRIVACY_KEY (HMAC-SHA256), so what is kept after
 * erasure and what logs carry cannot be turned back into a number by trying every number: without
 * the key there is nothing to try against.
 */
export interface Privacy {
  /**
   * A short, stable stand-in for a WhatsApp id: what the ledger and audit keep after erasure, and
   * what log lines carry instead of the id. The same id always gives the same pseudonym (per key).
   */
  pseudonym(waId: string): string;
  /** The suppression entry's id for a WhatsApp id under the current key. */
  suppressionKey(waId: string): string;
  /**
   * Every id the suppression entry of `waId` may have been stored under: the current key's first,
   * then rotated-out keys', then the unkeyed SHA-256 of versions before PRIVACY_KEY existed.
   */
  suppressionKeys(waId: string): string[];
}

export function createPrivacy(config: Config['privacy']): Privacy {
  const mac = (key: string, label: string, waId: string) => createHmac('sha256', key).update(`${label}:${waId}`).digest('hex');
  return {
    pseudonym: (waId) => `ps_${mac(config.key, 'pseudonym', waId).slice(0, 20)}`,
    suppressionKey: (waId) => mac(config.key, 'suppression', waId),
    suppressionKeys: (waId) => [config.key, ...config.previousKeys].map((key) => mac(key, 'suppression', waId)).concat(legacySuppressionKey(waId)),
  };
}

/** How suppression entries were keyed before PRIVACY_KEY: read (and re-keyed when met), never written. */
function legacySuppressionKey(waId: string): string {
  return createHash('sha256').update(`switchboard-suppression:${waId}`).digest('hex');
}
