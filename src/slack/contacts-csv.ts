import { stringify } from 'csv-stringify';
import type { Contact } from '../domain/contact';

/** A spreadsheet treats a cell starting with these as a formula: defuse them (CSV injection). */
const FORMULA = /^[=+\-@\t\r]/;
const cell = (value: string) => (FORMULA.test(value) ? `'${value}` : value);

/** Contacts as a CSV file (segments, hygiene exports). It holds personal data: send it to a DM only. */
export async function contactsCsv(contacts: AsyncIterable<Contact>): Promise<Buffer> {
  const out = stringify({ header: true, columns: ['phone', 'whatsapp_id', 'name', 'labels', 'consent', 'activity', 'activity_reason', 'last_message'] });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => out.on('end', resolve).on('error', reject));
  for await (const c of contacts) {
    // e164 is ours (`+` and digits, validated), so it is written as is; names and labels came from people.
    out.write([c.e164 ?? '', c.waId, cell(c.name ?? ''), cell(c.labels.join(' ')), c.consent.status, c.activity.status, c.activity.reason ?? '', c.lastInboundAt?.toISOString() ?? '']);
  }
  out.end();
  await done;
  return Buffer.concat(chunks);
}
