import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `X-Hub-Signature-256` (`sha256=<hex>`) is Meta's HMAC-SHA256 of these exact request bytes,
 * keyed with the app secret. It must be computed over the raw body as received: re-serialising the
 * parsed JSON changes whitespace and escaping, and the signature no longer matches. Compared in
 * constant time so a forger learns nothing from how long a wrong guess took. A missing, repeated or
 * malformed header, or an empty secret, is simply `false`.
 */
export function verifyWebhookSignature(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (!appSecret || typeof header !== 'string') return false;
  const match = HEADER.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  // timingSafeEqual throws on different lengths; the regex already fixes it at 32 bytes, checked again for safety.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
