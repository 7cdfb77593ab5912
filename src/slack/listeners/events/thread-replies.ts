import type { AppDeps } from '../../../app-deps';
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
 * An agent's reply in a thread → the reply intake (bridge/outbound/reply-intake.ts), which stores it
 * before anything else and then takes it through the consent gate to the outbox. Bolt has answered
 * Slack before this runs, so Slack will not send the event again if it fails: the intake is what
 * keeps a reply from vanishing when the store fails. Only the checks that need no store come first:
 * edits, deletes, joins, bot messages, messages outside a thread and internal notes never reach it.
 */
export function registerThreadReplies(on: Listeners, deps: Pick<AppDeps, 'config' | 'logger' | 'replyIntake'>): void {
  on.message(async ({ message, context }) => {
    const m = message as unknown as ThreadMessage;
    // "Also send to #channel" replies arrive as thread_broadcast, replies with files as file_share.
    if (!REPLY_SUBTYPES.has(m.subtype) || m.bot_id || !m.user || !m.thread_ts || m.thread_ts === m.ts) return;
    const typed = slackToWhatsApp(m.text ?? '').trim();
    if ((!typed && !m.files?.length) || typed.startsWith(deps.config.bridge.internalNotePrefix)) return;
    // Of a file, only what fetching it takes: Slack's file objects carry dozens of fields.
    const files = m.files?.map(({ id, name, mimetype, size, url_private_download }) => ({ id, name, mimetype, size, url_private_download }));
    const reply = { channel: m.channel, ts: m.ts, threadTs: m.thread_ts, user: m.user, text: m.text, files, subtype: m.subtype };
    await deps.replyIntake.take(reply, requestLog(context, deps.logger));
  });
}
