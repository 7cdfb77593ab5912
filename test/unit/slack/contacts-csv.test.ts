import type { Contact } from '../../../src/domain/contact';
import { contactsCsv } from '../../../src/slack/contacts-csv';
import { spreadsheetCells, startsFormula } from '../../support/spreadsheet-csv';

let seq = 0;
function contact(overrides: Partial<Contact> = {}): Contact {
  const n = ++seq;
  const waId = `4477009000${String(n).padStart(2, '0')}@c.us`;
  return {
    id: String(n),
    waId,
    e164: `+${waId.replace(/@.*$/, '')}`,
    name: 'Ana Lima',
    labels: ['vip'],
    consent: { status: 'opted_in' },
    activity: { status: 'active' },
    lastInboundAt: new Date('2026-11-01T10:00:00Z'),
    createdAt: new Date('2026-10-01T10:00:00Z'),
    updatedAt: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}

async function* each<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

const csvOf = async (...contacts: Contact[]) => (await contactsCsv(each(contacts))).toString('utf8');

/** Names people give themselves on WhatsApp that a spreadsheet would run. */
const HOSTILE = [
  '=HYPERLINK("http://evil.example","click")',
  '  =1+1',
  ' \u00a0@SUM(A1)',
  '-2+3',
  '+cmd',
  '\t=1',
  '\rtext',
  'Ana;=HYPERLINK("http://evil.example","click")',
  'Ana;  @SUM(A1);',
  'Ana,=1+1',
  'Ana;"=1+1"',
  'Ana\n=1+1',
  'Ana\t-1',
];

describe('contactsCsv', () => {
  it('when contacts are exported, then every cell is quoted, the header included, and a comma reader reads back what was written', async () => {
    const csv = await csvOf(contact({ name: 'Lima, Ana "the boss"', labels: [] }), contact({ name: undefined, e164: undefined, waId: '12345@lid', lastInboundAt: undefined }));
    const rows = spreadsheetCells(csv, ',');
    expect(rows).toHaveLength(3);
    expect(rows.flat().every((cell) => cell.quoted)).toBe(true);
    expect(rows.map((r) => r.map((c) => c.value))).toEqual([
      ['phone', 'whatsapp_id', 'name', 'labels', 'consent', 'activity', 'activity_reason', 'last_message'],
      ['+447700900001', '447700900001@c.us', 'Lima, Ana "the boss"', '', 'opted_in', 'active', '', '2026-11-01T10:00:00.000Z'],
      ['', '12345@lid', '', 'vip', 'opted_in', 'active', '', ''],
    ]);
  });

  it.each(HOSTILE)('when a name is %j, then no reader of any locale (comma, semicolon, tab) finds a formula in the file', async (name) => {
    const csv = await csvOf(contact({ name }));
    for (const separator of [',', ';', '\t']) {
      const cells = spreadsheetCells(csv, separator).flat();
      // A reader of the wrong locale takes most of a line as one cell, from the phone number on:
      // `+447…,"…"` is a number followed by junk to a spreadsheet, never a formula that runs.
      const formulas = cells.map((c) => c.value).filter((v) => startsFormula(v) && !/^\+\d+(,|$)/.test(v));
      expect({ separator, formulas }).toEqual({ separator, formulas: [] });
    }
  });

  it('when a name would start a formula, then a comma reader sees it as typed behind an apostrophe, spaces kept (a tab is a cell start to a tab reader, so it gets one too)', async () => {
    const names = (csv: string) => spreadsheetCells(csv, ',').slice(1).map((r) => r[2]!.value);
    expect(names(await csvOf(contact({ name: '=HYPERLINK("http://evil.example","click")' }), contact({ name: '  =1+1' }), contact({ name: '\t=1' })))).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      `'  =1+1`,
      `'\t'=1`,
    ]);
  });

  it('when a semicolon reader splits a name at its ";", then the part after it starts with an apostrophe, not a formula', async () => {
    const csv = await csvOf(contact({ name: 'Ana;=HYPERLINK("http://evil.example","click")' }));
    const cells = spreadsheetCells(csv, ';')[1]!.map((c) => c.value);
    expect(cells.some((v) => v.startsWith(`'=HYPERLINK(`))).toBe(true);
    expect(cells.some((v) => /^\s*=/.test(v))).toBe(false);
  });

  it('when names and labels are ordinary, then they are written unchanged', async () => {
    const ordinary = ['Ana Lima', "O'Brien", 'Jean-Luc Picard', 'Zoë – café', 'Lima, Ana', 'محمد', 'a@b', 'Ana (-: '];
    const csv = await csvOf(...ordinary.map((name) => contact({ name, labels: ['vip', 'late-payer'] })));
    const rows = spreadsheetCells(csv, ',').slice(1);
    expect(rows.map((r) => r[2]!.value)).toEqual(['Ana Lima', "O'Brien", 'Jean-Luc Picard', 'Zoë – café', 'Lima, Ana', 'محمد', 'a@b', 'Ana (-: ']);
    expect(rows.map((r) => r[3]!.value)).toEqual(ordinary.map(() => 'vip late-payer'));
  });
});
