import type { webApi } from '@slack/bolt';
import { checkPersonConsent } from '../../consent/twins';
import { undoNotice } from '../../slack/blocks/undo-notice';
import { windowClosedNotice } from '../../slack/blocks/window-notice';
import type { Intake } from '../../store/repositories/intake-repository';
import { signed } from '../../workflow/agent-signature';
import { DELIVERY_REACTIONS } from './delivery-reactions';
import { bestEffort, type IntakeContext, type IntakeOutcome } from './intake-context';
import { windowRefusal } from './reply-window';

/** The metadata event on the app's post of a modal reply: a retry finds the post by it. */
export const MODAL_REPLY_EVENT = 'switchboard_modal_reply';
/** Pages of a thread read to find that post (200 messages each). */
const MAX_PAGES = 20;

/**
 * A reply written in a modal (quick reply, the card's Reply) → shown in the thread as the app's post
 * → the outbox, keyed on that post so its delivery reactions land on it. The intake was stored
 * before anything was posted, so the thread never shows a reply that is not owed. The post is made
 * once: its ts is noted on the intake, and a retry whose predecessor may have posted without noting
 * it (claimed before) looks for the post in the thread by its metadata first.
 */
export async function processModalReply(ctx: IntakeContext, intake: Intake): Promise<IntakeOutcome> {
  const { deps, client } = ctx;
  const { repos } = deps;
  const contact = intake.contactWaId ? await repos.contacts.findByWaId(intake.contactWaId) : null;
  if (!contact?.slack) return { kind: 'ignored', reason: 'the contact does not exist any more (it may have been erased)' };
  const thread = { channel: intake.channel, thread_ts: intake.threadTs };
  // Checked when the modal was submitted; asked again because a retry may come much later.
  const gate = await checkPersonConsent({ contacts: repos.contacts }, contact, 'reply');
  if (!gate.allowed) {
    await bestEffort(ctx.log, 'tell the agent of a refused reply', async () => {
      await client.chat.postEphemeral({ ...thread, user: intake.user, text: `:no_entry_sign: ${gate.reason}.` });
      if (intake.postTs) await client.reactions.add({ channel: intake.channel, timestamp: intake.postTs, name: DELIVERY_REACTIONS.blocked });
    });
    return { kind: 'refused' };
  }
  // Checked at submission too; a retry may come after the window closed: refused before anything is posted.
  const closed = windowRefusal(deps.config.whatsapp.gateway, contact, deps.clock());
  if (closed) {
    await bestEffort(ctx.log, 'tell the agent the window is closed', () => client.chat.postEphemeral({ ...thread, user: intake.user, ...windowClosedNotice(contact.waId, closed) }));
    return { kind: 'refused' };
  }
  const noted = intake.postTs;
  let postTs = noted ?? (intake.claims > 1 ? await findPost(client, intake) : undefined);
  if (!postTs) {
    const posted = await client.chat.postMessage({
      ...thread,
      text: intake.shown ?? '',
      unfurl_links: false,
      metadata: { event_type: MODAL_REPLY_EVENT, event_payload: { intake: intake.key } },
    });
    postTs = posted.ts!;
  }
  // A failure from here on puts the ⚠️ on the post.
  intake.postTs = postTs;
  if (postTs !== noted) await repos.intakes.notePost(intake.id, postTs);
  const slack = { channel: intake.channel, ts: postTs };
  const { undoMs } = deps.config.bridge;
  const signature = await deps.signature(client, intake.user);
  // The window starts now, not before the post and the profile lookup above (they may take seconds).
  const at = deps.clock();
  const { duplicate } = await repos.messages.recordOutbound({
    contactWaId: contact.waId,
    body: signed(intake.text ?? '', signature),
    purpose: 'reply',
    via: 'modal',
    slack,
    agent: intake.user,
    signature,
    at,
    state: 'pending',
    ...(undoMs > 0 ? { holdUntil: new Date(at.getTime() + undoMs) } : {}),
  });
  if (duplicate) return { kind: 'duplicate' };
  if (undoMs > 0) await bestEffort(ctx.log, 'show the undo notice', () => client.chat.postEphemeral({ ...thread, user: intake.user, ...undoNotice(slack, undoMs, false) }));
  deps.wakeOutbound(contact.waId);
  return { kind: 'queued' };
}

/** The post an earlier attempt made, if it made one. */
async function findPost(client: webApi.WebClient, intake: Intake): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = (await client.conversations.replies({ channel: intake.channel, ts: intake.threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) })) as {
      messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: { intake?: string } } }>;
      response_metadata?: { next_cursor?: string };
    };
    const found = res.messages?.find((m) => m.metadata?.event_type === MODAL_REPLY_EVENT && m.metadata.event_payload?.intake === intake.key);
    if (found?.ts) return found.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
