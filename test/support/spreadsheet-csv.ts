/**
 * How a spreadsheet reads a CSV file with `separator`, cell by cell. A field that opens with `"`
 * is quoted until a lone `"`; `""` inside is one quote. After the closing quote the reader does
 * not stop: what follows up to the next separator is added as it stands, quotes included — which
 * is what a reader of the other locale (`;` for a `,` file) does with most of a line.
 */
export function spreadsheetCells(text: string, separator: string): Array<Array<{ value: string; quoted: boolean }>> {
  const rows: Array<Array<{ value: string; quoted: boolean }>> = [];
  let row: Array<{ value: string; quoted: boolean }> = [];
  let value = '';
  let quoted = false;
  let state: 'start' | 'quoted' | 'unquoted' = 'start';
  const endCell = () => {
    row.push({ value, quoted });
    value = '';
    quoted = false;
    state = 'start';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (state === 'quoted') {
      if (c !== '"') value += c;
      else if (text[i + 1] === '"') value += text[++i];
      else state = 'unquoted';
      continue;
    }
    if (c === separator) endCell();
    else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endCell();
      rows.push(row);
      row = [];
    } else if (c === '"' && state === 'start') {
      state = 'quoted';
      quoted = true;
    } else {
      value += c;
      state = 'unquoted';
    }
  }
  if (value || row.length || state !== 'start') {
    endCell();
    rows.push(row);
  }
  return rows;
}

/** What a spreadsheet takes for a formula: a cell whose first character, after spaces, is one of these (tab and CR count on their own). */
export const startsFormula = (cell: string) => /^[\t\r]/.test(cell) || /^\s*[=+\-@]/.test(cell);
