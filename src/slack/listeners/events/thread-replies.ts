import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { slackToWhatsApp } from '../../../bridge/outbound/slack-to-whatsapp';
import { DELIVERY_REACTIONS } from '../../../bridge/outbound/delivery-reactions';
import { fillQuickReply } from '../../../bridge/outbound/quick-reply-text';
import { keepSlackFiles, type SlackFile } from '../../../bridge/outbound/slack-files';
import { checkPersonConsent } from '../../../consent/twins';
import type { MediaRef } from '../../../domain/message';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { signed } from '../../../workflow/agent-signature';
import { channelMode } from '../../../workflow/channel-mode';
import { undoNotice } from '../../blocks/undo-notice';
import type { Listeners } from '../listener-table';

interface ThreadMessage {
  subtype?: string;
  files?: SlackFile[];
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

const REPLY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * An agent's reply in a conversation thread → the consent gate → the outbox. Retried and duplicate
 * events are harmless: the outbox is keyed on the Slack message. Replies starting with the internal
 * note prefix, bot messages and anything outside a conversation thread stay in Slack.
 */
export function registerThreadReplies(on: Listeners, deps: Pick<AppDeps, 'config' | 'repos' | 'clock' | 'logger' | 'bridge' | 'signature'>): void {
  const downloading = new Set<string>();

  /** Downloads the attached files; the agent is told privately about any that cannot be sent. */
  async function keepAttachments(files: SlackFile[], m: { channel: string; user: string; thread_ts: string }, client: webApi.WebClient): Promise<MediaRef[]> {
    const { slack, bridge } = deps.config;
    const kept = await keepSlackFiles(files, { botToken: slack.botToken, apiUrl: slack.apiUrl, maxBytes: bridge.mediaMaxBytes, media: deps.repos.media });
    const problems = kept.filter((k) => k.problem).map((k) => `*${escapeMrkdwn(k.name)}*: ${escapeMrkdwn(k.problem!)}`);
    if (problems.length > 0) {
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `:warning: Not sent to WhatsApp:\n${problems.join('\n')}` });
    }
    return kept.flatMap((k) => (k.ref ? [k.ref] : []));
  }

  on.message(async ({ message, client, context }) => {
    const prefix = deps.config.bridge.internalNotePrefix;
    const m = message as unknown as ThreadMessage;
    // "Also send to #channel" replies arrive as thread_broadcast, replies with files as file_share;
    // edits, deletes and joins are not replies.
    if (!REPLY_SUBTYPES.has(m.subtype) || m.bot_id || !m.user || !m.thread_ts || m.thread_ts === m.ts) return;
    const contact = await deps.repos.contacts.findBySlackThread(m.channel, m.thread_ts);
    if (!contact) return;
    const typed = slackToWhatsApp(m.text ?? '').trim();
    let text = typed;
    const files = m.files ?? [];
    if ((!typed && files.length === 0) || typed.startsWith(prefix)) return;
    // A notes-only channel keeps every reply in Slack; the card's Reply button answers the customer.
    if ((await channelMode(deps.repos.settings, m.channel)) === 'notes-only') return;
    const log = requestLog(context, deps.logger).child({ contact: contact.waId, slackTs: m.ts });
    const at = deps.clock();
    const slack = { channel: m.channel, ts: m.ts };
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) {
      const { duplicate } = await deps.repos.messages.recordOutbound({ contactWaId: contact.waId, body: text, purpose: 'reply', slack, agent: m.user, at, state: 'blocked', reason: gate.reason });
      if (duplicate) return;
      log.info({ reason: gate.reason }, 'reply refused by the consent gate');
      await deps.repos.audit.record({ actor: m.user, action: 'reply', args: { contact: contact.waId, slackTs: m.ts }, outcome: 'refused', at });
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `:no_entry_sign: ${gate.reason}.` });
      await client.reactions.add({ channel: m.channel, timestamp: m.ts, name: DELIVERY_REACTIONS.blocked });
      return;
    }
    // `!shortcut …` at the start: the quick reply, variables filled, then whatever followed it.
    const shortcut = /^!([\p{L}\p{N}_-]{1,40})(?:\s+|$)/u.exec(typed);
    if (shortcut) {
      // A retried event must not expand (and count) the quick reply again.
      if (await deps.repos.messages.findBySlackMessage(m.channel, m.ts)) return log.debug('duplicate reply event ignored');
      const reply = await deps.repos.quickReplies.findByShortcut(shortcut[1]!.toLowerCase());
      if (!reply) {
        await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `No quick reply \`!${escapeMrkdwn(shortcut[1]!)}\` (\`/wa qr list\` shows them); nothing was sent.` });
        return;
      }
      const profile = (await client.users.info({ user: m.user }).catch(() => undefined))?.user?.profile;
      const filled = fillQuickReply(reply.body, { name: contactDisplayName(contact), agent: profile?.display_name || profile?.real_name || m.user });
      text = [filled, typed.slice(shortcut[0].length)].filter(Boolean).join(' ');
      await deps.repos.quickReplies.incrementUsage(reply.shortcut);
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: `:zap: Sent as: ${escapeMrkdwn(text)}` });
    }
    let attachments: MediaRef[] = [];
    if (files.length > 0) {
      // A retried event must not download the files again, whether the first is done or still running.
      const key = `${m.channel}:${m.ts}`;
      if (downloading.has(key) || (await deps.repos.messages.findBySlackMessage(m.channel, m.ts))) return log.debug('duplicate reply event ignored');
      downloading.add(key);
      try {
        attachments = await keepAttachments(files, { ...m, user: m.user, thread_ts: m.thread_ts }, client);
      } finally {
        downloading.delete(key);
      }
      if (attachments.length === 0 && !text) return;
    }

    // One WhatsApp message per file, the text (signed) as the first one's caption or on its own.
    const signature = await deps.signature(client, m.user);
    const body = signed(text, signature);
    const parts = attachments.length > 0 ? attachments.map((media, i) => ({ media, body: i === 0 ? body : '' })) : [{ media: undefined, body }];
    const { undoMs } = deps.config.bridge;
    const holdUntil = undoMs > 0 ? new Date(at.getTime() + undoMs) : undefined;
    let queued = 0;
    for (const [i, part] of parts.entries()) {
      const { duplicate } = await deps.repos.messages.recordOutbound({
        contactWaId: contact.waId,
        body: part.body,
        ...(part.media ? { media: part.media } : {}),
        ...(i > 0 ? { part: i + 1 } : {}),
        purpose: 'reply',
        slack,
        agent: m.user,
        ...(part.body ? { signature } : {}),
        at,
        state: 'pending',
        ...(holdUntil ? { holdUntil } : {}),
      });
      if (!duplicate) queued++;
      else if (part.media?.storedId) await deps.repos.media.remove(part.media.storedId); // fetched for nothing
    }
    if (queued === 0) return log.debug('duplicate reply event ignored');
    log.debug({ parts: queued, undoMs }, 'reply queued for WhatsApp');
    if (holdUntil) await client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, ...undoNotice(slack, undoMs) });
    deps.bridge.wakeOutbound(contact.waId);
  });
}
