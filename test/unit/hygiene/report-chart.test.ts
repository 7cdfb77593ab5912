import { inflateSync } from 'node:zlib';
import type { ReportFigures } from '../../../src/domain/hygiene';
import { CHART_SIZE, renderReportChart } from '../../../src/hygiene/report-chart';

const figures = (active: number, inactive: number, archived: number, optedIn: number): ReportFigures => ({
  total: active + inactive + archived,
  active,
  inactive,
  archived,
  optedIn,
  optedOut: 0,
  pending: 0,
  newlyInactive: 0,
  optedOutInPeriod: 0,
  expiredInPeriod: 0,
  consentRate: 0,
});

/** The PNG's chunks, checked as a decoder would: signature, lengths, and the image header. */
function readPng(png: Buffer): { width: number; height: number; chunks: string[]; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    chunks.push(type);
    offset += 12 + length;
  }
  expect(offset).toBe(png.length);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), chunks, pixels: inflateSync(Buffer.concat(idat)) };
}

describe('report chart', () => {
  it('when the history is drawn, then the result is a valid 800×400 PNG with a non-blank image', () => {
    const png = renderReportChart(
      [0, 1, 2, 3].map((k) => ({ at: new Date(Date.UTC(2026, 10, 2 + 7 * k, 9)), figures: figures(900 + 40 * k, 120 - 10 * k, 30 * k, 400 + 20 * k) })),
      'Europe/London',
    );
    const { width, height, chunks, pixels } = readPng(png);
    expect({ width, height }).toEqual(CHART_SIZE);
    expect(chunks[0]).toBe('IHDR');
    expect(chunks.at(-1)).toBe('IEND');
    // Decompressed: one filter byte plus 4 bytes (RGBA) per pixel, per row.
    expect(pixels.length).toBe(height * (1 + width * 4));
    // Not a blank canvas: many distinct byte values (bars, text, white background).
    expect(new Set(pixels.subarray(0, 200_000)).size).toBeGreaterThan(50);
  });

  it('when there is only the first report, then it still renders', () => {
    const { width } = readPng(renderReportChart([{ at: new Date('2026-11-25T09:00:00Z'), figures: figures(0, 0, 0, 0) }], 'UTC'));
    expect(width).toBe(800);
  });
});
