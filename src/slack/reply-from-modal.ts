import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import type { Contact } from '../domain/contact';
import { signed } from '../workflow/agent-signature';
import { undoNotice } from './blocks/undo-notice';

/**
 * A reply written in a modal (quick reply, the card's Reply): shown in the thread as the app's post,
 * then queued like a thread reply — signed, held for the undo window (its author can cancel), and
 * keyed on that post, so its delivery reactions land on it.
 */
export async function queueReplyFromModal(
  deps: Pick<AppDeps, 'config' | 'repos' | 'clock' | 'bridge' | 'signature'>,
  client: webApi.WebClient,
  contact: Contact & { slack: NonNullable<Contact['slack']> },
  user: string,
  reply: { text: string; shown: string },
): Promise<void> {
  const at = deps.clock();
  const thread = contact.slack;
  const posted = await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: reply.shown, unfurl_links: false });
  const slack = { channel: thread.channel, ts: posted.ts! };
  const { undoMs } = deps.config.bridge;
  const signature = await deps.signature(client, user);
  await deps.repos.messages.recordOutbound({
    contactWaId: contact.waId,
    body: signed(reply.text, signature),
    purpose: 'reply',
    slack,
    agent: user,
    signature,
    at,
    state: 'pending',
    ...(undoMs > 0 ? { holdUntil: new Date(at.getTime() + undoMs) } : {}),
  });
  if (undoMs > 0) await client.chat.postEphemeral({ channel: thread.channel, user, thread_ts: thread.threadTs, ...undoNotice(slack, undoMs, false) });
  deps.bridge.wakeOutbound(contact.waId);
}
