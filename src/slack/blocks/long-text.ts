/** Slack's limits on one message (Block Kit and chat.postMessage references). */
export const SLACK_TEXT_LIMITS = {
  /** A section block's text; longer is refused (`invalid_blocks`). */
  sectionText: 3_000,
  /** Blocks in one message; more is refused (`invalid_blocks`). */
  blocksPerMessage: 50,
  /** A message's `text`; Slack cuts what comes after. */
  messageText: 40_000,
} as const;

/** One post's share of a long text: its `text`, and the same text cut into section-sized pieces. */
export interface TextPost {
  text: string;
  /** Pieces for section blocks, in order (empty for a plain post); they concatenate to `text`. */
  sections: string[];
}

export interface SplitOptions {
  /** The posts carry the text in section blocks (not only in `text`). */
  sections?: boolean;
  /** Blocks each post needs besides its sections (a banner, say). */
  reservedBlocks?: number;
}

/**
 * The posts a (possibly long) mrkdwn text needs so that Slack neither refuses nor cuts any of it,
 * in order; a text within the limits is one post. Each post's text stays within 40,000 characters;
 * with `sections`, its pieces are at most 3,000 characters and, with the reserved blocks, at most
 * 50 blocks. Cut as `splitMrkdwn` cuts, so the posts concatenate to the input.
 */
export function splitForPosts(text: string, options: SplitOptions = {}): TextPost[] {
  const L = SLACK_TEXT_LIMITS;
  if (!options.sections) return splitMrkdwn(text, L.messageText).map((piece) => ({ text: piece, sections: [] }));
  const perPost = Math.max(1, L.blocksPerMessage - (options.reservedBlocks ?? 0));
  const posts: TextPost[] = [];
  let current: TextPost | undefined;
  for (const piece of splitMrkdwn(text, L.sectionText)) {
    if (!current || current.sections.length >= perPost || current.text.length + piece.length > L.messageText) {
      current = { text: '', sections: [] };
      posts.push(current);
    }
    current.text += piece;
    current.sections.push(piece);
  }
  return posts;
}

/**
 * Cuts mrkdwn (already escaped) into pieces of at most `max` characters that concatenate to the
 * input: after the last line break in a piece's second half, else after its last space there, else
 * at the limit — but never inside an entity (`&amp;`), one of our own `<url|label>` links or a
 * surrogate pair, each of which Slack would show broken. `''` is one empty piece.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  if (max < 8) throw new RangeError('splitMrkdwn: max must leave room for an entity');
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    const end = cutPoint(text, start, start + max);
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Where the piece starting at `start` ends, at most at `limit`, and always after `start`. */
function cutPoint(text: string, start: number, limit: number): number {
  // Searched within the piece only: a long text without line breaks must not be rescanned per piece.
  const piece = text.slice(start, limit);
  const half = Math.floor(piece.length / 2);
  const breakAt = piece.lastIndexOf('\n');
  const spaceAt = piece.lastIndexOf(' ');
  const preferred = breakAt >= half ? breakAt + 1 : spaceAt >= half ? spaceAt + 1 : piece.length;
  const safe = outsideTokens(text, start, start + preferred);
  // A link longer than a whole piece: cut it rather than never make progress.
  return safe > start ? safe : outsideSurrogate(text, limit);
}

/** Moves a cut back to the start of an entity or of our own link it would fall in (not before `start`). */
function outsideTokens(text: string, start: number, cut: number): number {
  let at = outsideSurrogate(text, cut);
  // Entities are short (`&amp;` is the longest we write): look for one that begins just before the cut and ends after it.
  const near = Math.max(start, at - 7);
  const amp = text.slice(near, at).lastIndexOf('&');
  if (amp >= 0) {
    const entity = /^&#?[a-z0-9]+;/i.exec(text.slice(near + amp, near + amp + 12));
    if (entity && near + amp + entity[0].length > at) at = near + amp;
  }
  // Relayed text has every `<` escaped, so a raw one opens a link we built.
  const piece = text.slice(start, at);
  const open = piece.lastIndexOf('<');
  if (open >= 0 && piece.lastIndexOf('>') < open) at = start + open;
  return at;
}

function outsideSurrogate(text: string, cut: number): number {
  const code = text.charCodeAt(cut - 1);
  return code >= 0xd800 && code <= 0xdbff ? cut - 1 : cut;
}
