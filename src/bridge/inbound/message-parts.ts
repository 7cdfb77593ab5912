import type { MediaRef, NewInboundMessage } from '../../domain/message';
import type { Logger } from '../../logger';
import type { MediaRepository } from '../../store/repositories/media-repository';
import type { InboundMessage } from '../../whatsapp/gateway';
import { formatBytes } from './format-inbound';

/** A WhatsApp message as the store records it (without its hold or its origin). */
export function toNewInbound(message: InboundMessage): NewInboundMessage {
  const c = message.content;
  const base = { waMessageId: message.id, contactWaId: message.from, at: message.at, pushName: message.pushName, quoted: message.quoted };
  switch (c.kind) {
    case 'text':
      return { ...base, kind: 'text', body: c.text };
    case 'media':
      return { ...base, kind: 'media', body: c.caption, media: { mimetype: c.mimetype, filename: c.filename, size: c.size } };
    case 'location':
      return { ...base, kind: 'location', location: { latitude: c.latitude, longitude: c.longitude, name: c.name, address: c.address } };
    case 'contact_card':
      return { ...base, kind: 'contact_card', vcards: c.vcards };
  }
}

/** Downloads the file while WhatsApp Web still has it and keeps it in the store until it is posted. */
export async function keepMedia(
  deps: { media: MediaRepository; mediaMaxBytes: number; logger: Logger },
  content: Extract<InboundMessage['content'], { kind: 'media' }>,
  waMessageId: string,
): Promise<MediaRef> {
  const ref: MediaRef = { mimetype: content.mimetype, filename: content.filename, size: content.size };
  const tooLarge = (size: number) => `larger than the ${formatBytes(deps.mediaMaxBytes)} limit (${formatBytes(size)}); open it on the phone`;
  if (content.size !== undefined && content.size > deps.mediaMaxBytes) return { ...ref, unavailable: tooLarge(content.size) };
  let data: Buffer;
  try {
    data = await content.fetch();
  } catch (err) {
    deps.logger.warn({ err, waMessageId }, 'could not download media from WhatsApp');
    return { ...ref, unavailable: 'WhatsApp did not hand over the file; open it on the phone' };
  }
  if (data.length > deps.mediaMaxBytes) return { ...ref, size: data.length, unavailable: tooLarge(data.length) };
  const storedId = await deps.media.save({ mimetype: content.mimetype, filename: content.filename, size: data.length, data });
  return { ...ref, size: data.length, storedId };
}
