/**
 * Makes relayed text inert in Slack mrkdwn. Escaping `&`, `<` and `>` is exactly what Slack asks
 * for, and it is enough: `<!channel>`, `<@U123>` and `<https://evil|click>` all need a raw `<`.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
