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
