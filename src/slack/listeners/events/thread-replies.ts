import type { AppDeps } from '../../../app-deps';
import type { ThreadReplyEvent } from '../../../bridge/outbound/reply-intake';
import { slackToWhatsApp } from '../../../bridge/outbound/slack-to-whatsapp';
import type { IntakeFile } from '../../../store/repositories/intake-repository';
import { requestLog } from '../../request-context';
import type { Listeners } from '../listener-table';

interface ThreadMessage {
  subtype?: string;
  files?: IntakeFile[];
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

const REPLY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * The reply a message event carries, if it is one meant for WhatsApp: a person's message in a
 * thread, with words or files, not an internal note. Edits, deletes, joins, bot messages and
 * messages outside a thread are not.
 */
function replyIn(message: unknown, notePrefix: string): ThreadReplyEvent | undefined {
  const m = message as ThreadMessage;
  // "Also send to #channel" replies arrive as thread_broadcast, replies with files as file_share.
  if (!REPLY_SUBTYPES.has(m.subtype) || m.bot_id || !m.user || !m.thread_ts || m.thread_ts === m.ts) return undefined;
  const typed = slackToWhatsApp(m.text ?? '').trim();
  if ((!typed && !m.files?.length) || typed.startsWith(notePrefix)) return undefined;
  // Of a file, only what fetching it takes: Slack's file objects carry dozens of fields.
  const files = m.files?.map(({ id, name, mimetype, size, url_private_download }) => ({ id, name, mimetype, size, url_private_download }));
  return { channel: m.channel, ts: m.ts, threadTs: m.thread_ts, user: m.user, text: m.text, files, subtype: m.subtype };
}

/**
 * An agent's reply in a thread → the reply intake (bridge/outbound/reply-intake.ts), which stores it
 * before anything else and then takes it through the consent gate to the outbox. Bolt has answered
 * Slack before this runs, so Slack will not send the event again if it fails: the intake is what
 * keeps a reply from vanishing when the store fails. Only the checks that need no store come first.
 *
 * A reply by someone who is not an agent never reaches the intake: if it is in a conversation's
 * thread they are told, privately, that the customer did not get it; elsewhere it was just a thread.
 */
export function registerThreadReplies(on: Listeners, deps: Pick<AppDeps, 'config' | 'logger' | 'replyIntake' | 'repos' | 'privacy'>): void {
  on.message(
    async ({ message, context }) => {
      const reply = replyIn(message, deps.config.bridge.internalNotePrefix);
      if (reply) await deps.replyIntake.take(reply, requestLog(context, deps.logger));
    },
    {
      role: 'agent',
      action: 'thread_reply',
      actor: ({ message }) => replyIn(message, deps.config.bridge.internalNotePrefix)?.user,
      refuse: async ({ message, client }) => {
        const reply = replyIn(message, deps.config.bridge.internalNotePrefix)!;
        const contact = await deps.repos.contacts.findBySlackThread(reply.channel, reply.threadTs);
        if (!contact) return null;
        await client.chat.postEphemeral({
          channel: reply.channel,
          user: reply.user,
          thread_ts: reply.threadTs,
          text: ':lock: Not sent to WhatsApp: only agents’ replies reach the customer. Your message stays in this thread. Ask your Slack admin to add you as an agent (SLACK_AGENTS or its user group).',
        });
        return { contact: deps.privacy.pseudonym(contact.waId) };
      },
    },
  );
}
