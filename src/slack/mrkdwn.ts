/**
 * Makes relayed text inert in Slack mrkdwn. Escaping `&`, `<` and `>` is exactly what Slack asks
 * for, and it is enough: `<!channel>`, `<@U123>` and `<https://evil|click>` all need a raw `<`.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One of our mrkdwn messages as plain text, for where Slack shows text verbatim (a modal input's error). */
export function mrkdwnToPlain(text: string): string {
  return text.replace(/`([^`]*)`/g, '“$1”').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * `text` escaped as {@link escapeMrkdwn} does, in at most `max` characters: when it must be cut, it
 * is cut between characters — never inside an escape (a stray `&l` would show), nor inside an
 * emoji — and ends with `…`. For someone's text in a place Slack limits (a confirm dialog's 300).
 */
export function escapeMrkdwnWithin(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of text) {
    const next = escapeMrkdwn(char);
    if (out.length + next.length > max - 1) break;
    out += next;
  }
  return `${out}…`;
}

/** `text` in at most `max` UTF-16 units, cut between characters (never inside an emoji), ending with `…` when cut. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
