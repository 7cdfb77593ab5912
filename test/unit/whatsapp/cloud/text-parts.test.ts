import fc from 'fast-check';
import { MAX_TEXT_LENGTH, splitText, splitTextParts } from '../../../../src/whatsapp/cloud/text-parts';

function rejoin(cuts: Array<{ text: string; cut: string }>): string {
  return cuts.map((c) => c.text + c.cut).join('');
}

describe('splitting text into WhatsApp-sized parts', () => {
  it('when the text fits in 4,096 characters, then it is one part, unchanged', () => {
    const text = 'x'.repeat(MAX_TEXT_LENGTH);
    expect(splitText(text)).toEqual([text]);
  });

  it('when it is longer, then it is cut at the last line break before the limit, and the line break is dropped', () => {
    const first = `${'a'.repeat(3000)}\n${'b'.repeat(1000)}`;
    const text = `${first}\n${'c'.repeat(200)}`;
    expect(splitText(text)).toEqual([first, 'c'.repeat(200)]);
  });

  it('when there is no line break in the second half, then it is cut at the last space', () => {
    const text = `${'a'.repeat(10)}\n${'w '.repeat(2500)}`;
    const parts = splitText(text);
    expect(parts.length).toBe(2);
    expect(parts[0]!.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(parts[0]!.endsWith('w')).toBe(true);
    expect(parts[0]!.startsWith('a'.repeat(10))).toBe(true);
  });

  it('when there is no whitespace at all, then it is cut hard at the limit', () => {
    const text = 'z'.repeat(MAX_TEXT_LENGTH * 2 + 5);
    expect(splitText(text).map((p) => p.length)).toEqual([MAX_TEXT_LENGTH, MAX_TEXT_LENGTH, 5]);
  });

  it('when the hard cut would fall inside an emoji (a surrogate pair), then the emoji moves whole to the next part', () => {
    const text = `${'z'.repeat(MAX_TEXT_LENGTH - 1)}😀tail`;
    expect(splitText(text)).toEqual(['z'.repeat(MAX_TEXT_LENGTH - 1), '😀tail']);
  });

  it('for any text, then every part is at most the limit, none is empty, no surrogate pair is split, and the parts with their cut whitespace give the original', () => {
    const unit = fc.constantFrom('a', 'b', ' ', '\n', '😀', 'é', '\t');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 400 }).map((a) => a.join('')), fc.integer({ min: 2, max: 40 }), (text, max) => {
        const cuts = splitTextParts(text, max);
        expect(rejoin(cuts)).toBe(text);
        for (const { text: part, cut } of cuts) {
          expect(part.length).toBeLessThanOrEqual(max);
          if (text.length > 0) expect(part.length).toBeGreaterThan(0);
          expect(/^[\uD800-\uDBFF]$/.test(part.slice(-1))).toBe(false);
          expect(/^[\uDC00-\uDFFF]$/.test(part.slice(0, 1))).toBe(false);
          expect(['', ' ', '\n']).toContain(cut);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('for long texts at the real limit, then the same holds', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('word ', 'line\n', '😀', 'x'.repeat(300)), { maxLength: 80 }).map((a) => a.join('')), (text) => {
        const cuts = splitTextParts(text);
        expect(rejoin(cuts)).toBe(text);
        expect(cuts.every((c) => c.text.length <= MAX_TEXT_LENGTH)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
