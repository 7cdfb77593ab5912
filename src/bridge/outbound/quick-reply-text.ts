import type { webApi } from '@slack/bolt';
import type { QuickReplyRepository } from '../../domain/quick-reply';
import { agentName } from '../../workflow/agent-name';

/** A quick reply's text with its variables filled; unknown variables are left as typed. */
export function fillQuickReply(body: string, values: { name: string; agent: string }): string {
  const firstName = values.name.trim().split(/\s+/)[0] ?? values.name;
  const table: Record<string, string> = { name: values.name, first_name: firstName, agent: values.agent };
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => table[key] ?? whole);
}

/** `!shortcut` at the start of what an agent typed, then whatever follows it. */
const SHORTCUT = /^!([\p{L}\p{N}_-]{1,40})(?:\s+|$)/u;

/**
 * What the contact gets for what an agent typed: the text itself, or — for `!shortcut …` — the
 * quick reply (`shortcut`), variables filled, then whatever followed it. `unknown`: no quick reply
 * has that shortcut, so nothing is to be sent. Used by new replies and by edits alike, so an edit
 * (or Slack changing the message, an unfurl) never sends the raw `!shortcut` text.
 */
export type Expansion = { text: string; shortcut?: string } | { unknown: string };

export async function expandQuickReply(
  typed: string,
  ctx: { quickReplies: Pick<QuickReplyRepository, 'findByShortcut'>; client: webApi.WebClient; user: string; contactName: string },
): Promise<Expansion> {
  const match = SHORTCUT.exec(typed);
  if (!match) return { text: typed };
  const reply = await ctx.quickReplies.findByShortcut(match[1]!.toLowerCase());
  if (!reply) return { unknown: match[1]! };
  const filled = fillQuickReply(reply.body, { name: ctx.contactName, agent: await agentName(ctx.client, ctx.user) });
  return { text: [filled, typed.slice(match[0].length)].filter(Boolean).join(' '), shortcut: reply.shortcut };
}
