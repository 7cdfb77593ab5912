import { stringify } from 'csv-stringify';
import type { Contact } from '../domain/contact';

/**
 * Where a spreadsheet may start a cell inside a value, followed by what makes that cell a formula:
 * `=`, `+`, `-` or `@` after any spaces (or quotes). Quoting every cell keeps a `,` or `;` inside
 * it for a reader that splits on that character, but a reader of the other locale (`;` for this
 * `,` file) leaves the quotes after the first field and splits at every `;` and line break, so
 * each place a cell can start is defused, not only the value's first character.
 */
const CELL_START_FORMULA = /(?<=^|[,;\t\r\n])(?=[\s"]*[=+\-@])/g;

/** A value a spreadsheet shows as text: an apostrophe wherever a cell could start as a formula (CSV injection). */
export function defuseCell(value: string): string {
  // A tab or CR opening the value counts on its own: some spreadsheets act on them.
  return value.replace(CELL_START_FORMULA, "'").replace(/^(?=[\t\r])/, "'");
}

/** Contacts as a CSV file (segments, hygiene exports). It holds personal data: send it to a DM only. */
export async function contactsCsv(contacts: AsyncIterable<Contact>): Promise<Buffer> {
  const out = stringify({
    header: true,
    columns: ['phone', 'whatsapp_id', 'name', 'labels', 'consent', 'activity', 'activity_reason', 'last_message'],
    quoted: true,
    quoted_empty: true,
  });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => out.on('end', resolve).on('error', reject));
  for await (const c of contacts) {
    // e164 is ours (`+` and digits, validated): a number to a spreadsheet, so it is written as is.
    out.write([c.e164 ?? '', defuseCell(c.waId), defuseCell(c.name ?? ''), defuseCell(c.labels.join(' ')), c.consent.status, c.activity.status, defuseCell(c.activity.reason ?? ''), c.lastInboundAt?.toISOString() ?? '']);
  }
  out.end();
  await done;
  return Buffer.concat(chunks);
}
