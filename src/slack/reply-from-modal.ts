import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import type { Contact } from '../domain/contact';

/**
 * A reply written in a modal (quick reply, the card's Reply): stored first (the reply intake), then
 * shown in the thread as the app's post and queued like a thread reply — signed, held for the undo
 * window, and keyed on that post, so its delivery reactions land on it. The thread never shows a
 * reply that is not owed: if the store fails after the post, the intake is retried (without posting
 * again). Throws, after telling the agent to send it again, only if the reply could not be stored.
 * `_client` is unused: a retry has no request, so the intake speaks through the app's own client.
 */
export async function queueReplyFromModal(
  deps: Pick<AppDeps, 'replyIntake'>,
  _client: webApi.WebClient,
  contact: Contact & { slack: NonNullable<Contact['slack']> },
  user: string,
  /** `viewId`: the modal's, so a second submission of the same modal cannot record a second reply. */
  reply: { text: string; shown: string; viewId?: string },
): Promise<void> {
  await deps.replyIntake.takeModal({ contact, user, text: reply.text, shown: reply.shown, ...(reply.viewId ? { viewId: reply.viewId } : {}) });
}
