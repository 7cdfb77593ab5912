import fc from 'fast-check';
import { escapeMrkdwn } from '../../../src/slack/mrkdwn';
import { SLACK_TEXT_LIMITS, splitForPosts, splitMrkdwn } from '../../../src/slack/blocks/long-text';

/** An entity or one of our links cut in two shows broken in Slack. */
const cutsToken = (pieces: string[]) =>
  pieces.some((p, i) => i < pieces.length - 1 && (/&#?[a-z0-9]*$/i.test(p) || p.lastIndexOf('<') > p.lastIndexOf('>') || /[\uD800-\uDBFF]$/.test(p)));

describe('splitMrkdwn', () => {
  it('when the text fits, then it is one piece, as it is (empty too)', () => {
    expect(splitMrkdwn('hello', 10)).toEqual(['hello']);
    expect(splitMrkdwn('', 10)).toEqual(['']);
  });

  it('when a line break falls in the second half of a piece, then the piece ends after it', () => {
    expect(splitMrkdwn('aaaaaa\nbbbb cc', 10)).toEqual(['aaaaaa\n', 'bbbb cc']);
  });

  it('when there is no line break but a space, then the piece ends after the space', () => {
    expect(splitMrkdwn('aaaaaaa bbbbbbb', 10)).toEqual(['aaaaaaa ', 'bbbbbbb']);
  });

  it('when a break falls early in the piece, then it is not taken (no tiny pieces)', () => {
    expect(splitMrkdwn(`a\n${'b'.repeat(18)}`, 10)).toEqual(['a\nbbbbbbbb', 'bbbbbbbbbb']);
  });

  it('when the limit falls inside &amp;, then the piece ends before the entity', () => {
    const pieces = splitMrkdwn(escapeMrkdwn('&'.repeat(7)), 12); // &amp; ×7, 35 characters
    expect(pieces).toEqual(['&amp;&amp;', '&amp;&amp;', '&amp;&amp;', '&amp;']);
  });

  it('when the limit falls inside one of our links, then the piece ends before the link', () => {
    const text = 'see here: <https://x.example/?a=1&b=2|map>';
    expect(splitMrkdwn(text, 30)).toEqual(['see here: ', '<https://x.example/?a=1&b=2|map>'.slice(0, 30), '<https://x.example/?a=1&b=2|map>'.slice(30)]);
  });

  it('when the limit falls between the halves of an emoji, then the emoji stays whole', () => {
    expect(splitMrkdwn('aaaaaaaaa😀b', 10)).toEqual(['aaaaaaaaa', '😀b']);
  });

  it('when 3,100 "&" are escaped, then every piece is within 3,000 characters and they concatenate back', () => {
    const escaped = escapeMrkdwn('&'.repeat(3_100));
    const pieces = splitMrkdwn(escaped, 3_000);
    expect(pieces.every((p) => p.length <= 3_000)).toBe(true);
    expect(pieces.join('')).toBe(escaped);
    expect(cutsToken(pieces)).toBe(false);
  });

  it('for any escaped text and limit, then pieces are within the limit, concatenate to the text and never cut a token', () => {
    const unit = fc.constantFrom('a', 'b', ' ', '\n', '&', '<', '>', '😀', 'é');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 400 }), fc.integer({ min: 8, max: 60 }), (chars, max) => {
        const text = escapeMrkdwn(chars.join(''));
        const pieces = splitMrkdwn(text, max);
        return pieces.every((p) => p.length <= max) && pieces.join('') === text && !cutsToken(pieces) && pieces.slice(0, -1).every((p) => p.length > 0);
      }),
      { seed: 20_261_203, numRuns: 300 },
    );
  });
});

describe('splitForPosts', () => {
  it('when a plain text fits one message, then it is one post with no sections', () => {
    expect(splitForPosts('hi')).toEqual([{ text: 'hi', sections: [] }]);
  });

  it('when a plain text is over 40,000 characters, then it goes in posts of at most 40,000 that concatenate back', () => {
    const text = 'word '.repeat(20_000); // 100,000
    const posts = splitForPosts(text);
    expect(posts.length).toBe(3);
    expect(posts.every((p) => p.text.length <= SLACK_TEXT_LIMITS.messageText)).toBe(true);
    expect(posts.map((p) => p.text).join('')).toBe(text);
  });

  it('when sections are wanted, then each post keeps within 50 blocks with its reserved ones and 40,000 characters, and its sections make its text', () => {
    const text = 'x'.repeat(200_000);
    const posts = splitForPosts(text, { sections: true, reservedBlocks: 1 });
    expect(posts.length).toBe(6); // 13 sections (39,000 characters) a post
    for (const post of posts) {
      expect(post.sections.length + 1).toBeLessThanOrEqual(SLACK_TEXT_LIMITS.blocksPerMessage);
      expect(post.text.length).toBeLessThanOrEqual(SLACK_TEXT_LIMITS.messageText);
      expect(post.sections.every((s) => s.length <= SLACK_TEXT_LIMITS.sectionText)).toBe(true);
      expect(post.sections.join('')).toBe(post.text);
    }
    expect(posts.map((p) => p.text).join('')).toBe(text);
  });

  it('when sections are short (many lines), then a post still holds at most 50 blocks', () => {
    // 60 lines of 2,000: each section is one line (the next would pass 3,000), so blocks, not characters, fill a post first.
    const text = Array.from({ length: 60 }, () => 'y'.repeat(1_999) + '\n').join('');
    const posts = splitForPosts(text, { sections: true, reservedBlocks: 30 });
    expect(posts.map((p) => p.sections.length)).toEqual([20, 20, 20]);
    expect(posts.map((p) => p.text).join('')).toBe(text);
  });

  it('when the text is empty, then there is one empty post (its caller shows something)', () => {
    expect(splitForPosts('', { sections: true })).toEqual([{ text: '', sections: [''] }]);
  });
});
