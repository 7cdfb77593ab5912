import { z } from 'zod';

/**
 * Meta's webhook body, as zod schemas: lenient about fields we do not read (Meta adds fields
 * without notice, so every object is loose), strict about the ones we do. Shapes from Meta's
 * webhook references (messages, status, errors, reaction, unsupported, user_preferences,
 * message_template_status_update). UNCONFIRMED against Meta (secondary sources only, see the
 * Cloud API notes §1): the media body fields (`id, mime_type, sha256, caption?, filename?`), the
 * `interactive` (`button_reply`/`list_reply`) and `button` (`text`, `payload`) bodies, and
 * `unsupported.type` naming the subtype (`edit`, `poll_creation`, …). They are kept loose for that
 * reason: only the fields read here are required.
 */

/** Unix seconds: a digit string on messages and statuses, an integer on user_preferences. */
export const unixTime = z
  .union([z.string().regex(/^\d+$/, 'expected unix seconds'), z.number().int().nonnegative()])
  .transform((v) => new Date(Number(v) * 1000));

export const waId = z.string().regex(/^\d+$/, 'expected a WhatsApp id (digits only)');

export const errorSchema = z.looseObject({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

const media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().min(1),
  caption: z.string().optional(),
  filename: z.string().optional(),
});

const typed = z.looseObject({ type: z.string().optional() });
const reply = z.looseObject({ id: z.string(), title: z.string() });

const contactCard = z.looseObject({
  name: z
    .looseObject({
      formatted_name: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      middle_name: z.string().optional(),
      prefix: z.string().optional(),
      suffix: z.string().optional(),
    })
    .optional(),
  phones: z.array(typed.extend({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
  emails: z.array(typed.extend({ email: z.string() })).optional(),
  addresses: z
    .array(typed.extend({ street: z.string().optional(), city: z.string().optional(), state: z.string().optional(), zip: z.string().optional(), country: z.string().optional() }))
    .optional(),
  org: z.looseObject({ company: z.string().optional(), department: z.string().optional(), title: z.string().optional() }).optional(),
  urls: z.array(typed.extend({ url: z.string() })).optional(),
  birthday: z.string().optional(),
});
export type ContactCardJson = z.infer<typeof contactCard>;

/** The body each inbound type we read carries under its own key (`message[type]`). */
export const typeBodies = {
  text: z.looseObject({ body: z.string() }),
  image: media,
  audio: media,
  video: media,
  document: media,
  sticker: media,
  location: z.looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
  contacts: z.array(contactCard).min(1),
  interactive: z.looseObject({ type: z.string(), button_reply: reply.optional(), list_reply: reply.optional() }),
  button: z.looseObject({ text: z.string().optional(), payload: z.string().optional() }),
  // Removal arrives without `emoji` (Meta reaction reference); some senders give "".
  reaction: z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() }),
  unsupported: z.looseObject({ type: z.string().optional() }),
} as const;
export type ReadType = keyof typeof typeBodies;
export const isReadType = (t: string): t is ReadType => Object.hasOwn(typeBodies, t);

export const messageSchema = z
  .looseObject({
    from: waId,
    id: z.string().min(1),
    timestamp: unixTime,
    type: z.string().min(1),
    context: z.looseObject({ id: z.string().optional() }).optional(),
  })
  .superRefine((m, ctx) => {
    // An unsupported type's body is optional (older payloads carry only `errors`); the others must be there.
    if (!isReadType(m.type) || (m.type === 'unsupported' && m.unsupported === undefined)) return;
    const parsed = typeBodies[m.type].safeParse(m[m.type]);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [m.type, ...issue.path] });
  });
export type WebhookMessage = z.infer<typeof messageSchema>;

export const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixTime,
  recipient_id: z.string().min(1),
  errors: z.array(errorSchema).optional(),
});

const metadata = z.looseObject({ display_phone_number: z.string(), phone_number_id: z.string().min(1) });

export const messagesValue = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata,
  contacts: z.array(z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string().optional() }).optional() })).optional(),
  messages: z.array(messageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(errorSchema).optional(),
});

export const userPreferencesValue = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata,
  user_preferences: z.array(z.looseObject({ wa_id: waId, detail: z.string().optional(), category: z.string(), value: z.string(), timestamp: unixTime })),
});

export const templateStatusValue = z.looseObject({
  event: z.string().min(1),
  message_template_id: z.union([z.number(), z.string()]).transform(String),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
  reason: z.string().nullable().optional(),
  message_template_category: z.string().optional(),
});

/** The envelope; each change's `value` is checked against its field's schema afterwards. */
export const envelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      changes: z.array(z.looseObject({ field: z.string().min(1), value: z.unknown() })),
    }),
  ),
});
