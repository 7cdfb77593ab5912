/**
 * A channel as typed in a slash command: Slack sends `#name` as `<#C123|name>` (the command
 * escapes channels); a bare ID is accepted too. Anything else is not a channel.
 */
export function channelArg(text: string | undefined): string | undefined {
  const typed = (text ?? '').trim();
  return /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(typed)?.[1] ?? (/^[CG][A-Z0-9]{5,}$/.test(typed) ? typed : undefined);
}
