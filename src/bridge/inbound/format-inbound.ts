import type { Contact } from '../../domain/contact';
import type { StoredMessage } from '../../domain/message';
import { escapeMrkdwn } from '../../slack/mrkdwn';

/**
 * The Slack text of a mirrored WhatsApp message. Everything the contact wrote is escaped, so
 * `<!channel>`, `<@U…>` and `<https://evil|click>` arrive as plain text; only the links and
 * markup we build ourselves are live.
 */
export function formatInbound(message: StoredMessage): string {
  if (message.revoked) return ':wastebasket: _The sender deleted this message._';
  const content = formatContent(message);
  const text = message.fromPhone && message.automated ? `${PHONE_AUTO_REPLY}\n${content}` : content;
  return message.edited ? `${text} _(edited)_` : text;
}

/** Heads the WhatsApp Business App's own greeting or away message, worded like the app's own automatic replies. */
export const PHONE_AUTO_REPLY = ':robot_face: *auto-reply (phone)* (sent by the WhatsApp Business App, not counted as a response)';

function formatContent(message: StoredMessage): string {
  const parts: string[] = [];
  if (message.quoted) {
    const quoted = message.quoted.text ? escapeMrkdwn(message.quoted.text) : '_(an earlier message)_';
    parts.push(quoted.split('\n').map((line) => `> ${line}`).join('\n'));
  }
  switch (message.kind) {
    case 'location': {
      const l = message.location!;
      const place = [l.name, l.address].filter(Boolean).map((s) => escapeMrkdwn(s!)).join(' — ');
      const coords = `${l.latitude.toFixed(6)}, ${l.longitude.toFixed(6)}`;
      parts.push(`:round_pushpin: ${place ? `${place}\n` : ''}<https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=17/${l.latitude}/${l.longitude}|${coords}>`);
      break;
    }
    case 'contact_card':
      parts.push((message.vcards ?? []).map((v) => `:bust_in_silhouette: ${escapeMrkdwn(describeVcard(v))}`).join('\n'));
      break;
    case 'media': {
      const m = message.media!;
      const size = m.size === undefined ? '' : ` (${formatBytes(m.size)})`;
      const missing = m.unavailable ? ` — ${escapeMrkdwn(m.unavailable)}` : '';
      parts.push(`:paperclip: ${escapeMrkdwn(m.filename ?? m.mimetype)}${size}${missing}`);
      if (message.body) parts.push(escapeMrkdwn(message.body));
      break;
    }
    default:
      parts.push(message.body ? escapeMrkdwn(message.body) : '_(empty message)_');
  }
  return parts.join('\n');
}

/** "Name, +44 7911 123456" from a vCard's FN and TEL lines. */
export function describeVcard(vcard: string): string {
  const field = (name: string) =>
    vcard
      .split(/\r?\n/)
      .filter((line) => line.toUpperCase().startsWith(name))
      .map((line) => line.slice(line.indexOf(':') + 1).trim())
      .filter(Boolean);
  const name = field('FN')[0] ?? 'Contact card';
  return [name, ...field('TEL')].join(', ');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The line under a message sent from the phone. The app never messages a contact who opted out;
 * the phone can, and the thread says so.
 */
export function phoneNote(contact: Pick<Contact, 'consent'>, message: Pick<StoredMessage, 'automated'>): string {
  const optedOut = contact.consent.status === 'opted_out';
  if (message.automated) {
    return `${optedOut ? ':warning: ' : ''}Sent automatically by the WhatsApp Business App (greeting or away message)${optedOut ? ' to a contact who *opted out*' : ''}; not counted as a response.`;
  }
  return optedOut
    ? ':warning: Sent from the phone, not through Switchboard, to a contact who *opted out*.'
    : 'Sent from the phone, not through Switchboard.';
}
