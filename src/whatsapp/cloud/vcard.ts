import type { ContactCardJson } from './webhook-schema';

// RFC 2426 §4: backslash, comma, semicolon and line breaks are escaped in text values.
const esc = (value: string) => value.replace(/\\/g, '\\\\').replace(/\r?\n|\r/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
// Parameter values (TYPE=, waid=) cannot be escaped in 3.0: keep only safe characters.
const param = (value: string | undefined) => (value ?? '').replace(/[^A-Za-z0-9-]/g, '').toUpperCase();
const typed = (name: string, type: string | undefined) => (param(type) ? `${name};TYPE=${param(type)}` : name);

/**
 * A vCard 3.0 text from a Cloud API `contacts[]` card, so shared contacts reach the rest of the app
 * in the same form whatsapp-web.js gives (it hands over vCards). `waid` on TEL is what WhatsApp itself
 * writes there.
 */
export function toVcard(card: ContactCardJson): string {
  const n = card.name ?? {};
  const phones = card.phones ?? [];
  const fn = n.formatted_name || [n.first_name, n.last_name].filter(Boolean).join(' ') || phones[0]?.phone || 'Contact';
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:${[n.last_name, n.first_name, n.middle_name, n.prefix, n.suffix].map((p) => esc(p ?? '')).join(';')}`, `FN:${esc(fn)}`];
  if (card.org?.company || card.org?.department) lines.push(`ORG:${esc(card.org.company ?? '')}${card.org.department ? `;${esc(card.org.department)}` : ''}`);
  if (card.org?.title) lines.push(`TITLE:${esc(card.org.title)}`);
  for (const p of phones) {
    if (!p.phone && !p.wa_id) continue;
    const waid = p.wa_id && /^\d+$/.test(p.wa_id) ? `;waid=${p.wa_id}` : '';
    lines.push(`${typed('TEL', p.type)}${waid}:${esc(p.phone ?? `+${p.wa_id}`)}`);
  }
  for (const e of card.emails ?? []) lines.push(`${typed('EMAIL', e.type)}:${esc(e.email)}`);
  for (const a of card.addresses ?? []) {
    lines.push(`${typed('ADR', a.type)}:;;${[a.street, a.city, a.state, a.zip, a.country].map((p) => esc(p ?? '')).join(';')}`);
  }
  for (const u of card.urls ?? []) lines.push(`${typed('URL', u.type)}:${esc(u.url)}`);
  if (card.birthday) lines.push(`BDAY:${esc(card.birthday)}`);
  lines.push('END:VCARD');
  return lines.join('\r\n');
}
