import { z } from 'zod';
import { e164ToWaId, toE164 } from '../../domain/phone';
import { isAppError } from '../../errors';
import type { CountryCode } from 'libphonenumber-js';

/** Largest JSON body the simulator takes: a picture or document of about 6 MB, base64-encoded. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

const waId = z.string().regex(/^\d{6,15}@c\.us$/, 'must be a contact id like 447911123456@c.us');
const messageId = z.string().min(1).max(200);

export const contactInput = z.object({
  name: z.string().trim().min(1, 'a name is needed').max(80, 'at most 80 characters'),
  number: z.string().trim().min(3, 'a phone number is needed').max(32, 'at most 32 characters'),
});

export const messageInput = z
  .object({
    waId,
    text: z.string().trim().min(1, 'cannot be empty').max(4096, 'at most 4096 characters').optional(),
    media: z
      .object({
        mimetype: z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/i, 'must be a MIME type like image/png'),
        filename: z.string().min(1).max(200).optional(),
        dataBase64: z.string().min(1, 'the file is empty').regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
        caption: z.string().max(1024, 'at most 1024 characters').optional(),
      })
      .optional(),
    quotedId: messageId.optional(),
  })
  .refine((m) => (m.text === undefined) !== (m.media === undefined), { message: 'send either text or media, not both or neither' });

/** The business's own phone writes (text only); `automated`: as the Business App's greeting or away message. */
export const phoneMessageInput = z.object({
  waId,
  text: z.string().trim().min(1, 'cannot be empty').max(4096, 'at most 4096 characters'),
  automated: z.boolean().optional(),
});

export const reactionInput = z.object({
  waId,
  messageId,
  // An emoji is a few code points; '' takes the reaction back.
  emoji: z.string().max(16, 'must be a single emoji'),
});

export const receiptsInput = z.object({
  messageIds: z.array(messageId).min(1).max(500),
  ack: z.enum(['delivered', 'read']),
});

/** The first problem with the input, said as `field: reason`. */
export function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** A typed number → the contact's E.164 and WhatsApp id, or the reason it is not a number. */
export function parseNumber(input: string, defaultCountry?: CountryCode): { e164: string; waId: string } | { error: string } {
  try {
    const e164 = toE164(input, defaultCountry);
    return { e164, waId: e164ToWaId(e164) };
  } catch (err) {
    if (isAppError(err)) return { error: `number: ${err.message.replace(/`/g, '')}` };
    throw err;
  }
}
