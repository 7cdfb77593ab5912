import { createHash } from 'node:crypto';

/**
 * What is kept of an erased contact so the number stays opted out: a SHA-256 of its WhatsApp id.
 * (A phone number's hash can be reversed by trying every number; it is kept because suppression
 * is the contact's own interest, and it is all that is kept.)
 */
export function suppressionKey(waId: string): string {
  return createHash('sha256').update(`switchboard-suppression:${waId}`).digest('hex');
}
