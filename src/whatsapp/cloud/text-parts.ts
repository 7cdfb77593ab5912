/** The Cloud API's limit on a text message body (Meta: text-messages reference). */
export const MAX_TEXT_LENGTH = 4096;

/** One part of a split text and the whitespace that was cut after it ('' for a hard cut or the last part). */
export interface TextPart {
  text: string;
  cut: '' | ' ' | '\n';
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Splits `text` into ordered parts of at most `max` UTF-16 code units (JavaScript's length; never less
 * than Meta's count of characters, so a part that fits here fits there). Cuts at a line break, else at
 * a space, preferring one in the second half of the window so parts are not needlessly short; the cut
 * whitespace is dropped from the parts but reported, so the parts can be put back together exactly.
 * A hard cut never falls between the two halves of a surrogate pair (an emoji stays whole).
 */
export function splitTextParts(text: string, max = MAX_TEXT_LENGTH): TextPart[] {
  if (max < 2) throw new RangeError('max must be at least 2 (a surrogate pair has to fit)');
  const parts: TextPart[] = [];
  let rest = text;
  while (rest.length > max) {
    // The cut may sit at index `max` itself: the part before it is then exactly `max` long.
    const newline = rest.lastIndexOf('\n', max);
    const space = rest.lastIndexOf(' ', max);
    const half = max / 2;
    const at = newline >= half ? newline : space >= half ? space : newline > 0 ? newline : space > 0 ? space : -1;
    if (at > 0) {
      parts.push({ text: rest.slice(0, at), cut: rest[at] as '\n' | ' ' });
      rest = rest.slice(at + 1);
    } else {
      const end = isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max;
      parts.push({ text: rest.slice(0, end), cut: '' });
      rest = rest.slice(end);
    }
  }
  if (rest.length > 0) parts.push({ text: rest, cut: '' });
  return parts;
}

/** The parts' texts only, in order: what the gateway sends, one message each. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  return splitTextParts(text, max).map((p) => p.text);
}
