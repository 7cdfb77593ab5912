import { checkPersonConsent } from '../../consent/twins';
import type { MediaRef } from '../../domain/message';
import { contactPlainName } from '../../slack/blocks/contact-card';
import { undoNotice } from '../../slack/blocks/undo-notice';
import { windowClosedNotice } from '../../slack/blocks/window-notice';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import type { Intake } from '../../store/repositories/intake-repository';
import { signed } from '../../workflow/agent-signature';
import { channelMode } from '../../workflow/channel-mode';
import { DELIVERY_REACTIONS } from './delivery-reactions';
import { bestEffort, type IntakeContext, type IntakeOutcome } from './intake-context';
import { expandQuickReply } from './quick-reply-text';
import { windowRefusal } from './reply-window';
import { keepSlackFiles } from './slack-files';
import { slackToWhatsApp } from './slack-to-whatsapp';

/**
 * An agent's reply in a conversation thread → the consent gate → the outbox, from its intake. Every
 * step may be repeated by a retry: what must not happen twice is guarded — the outbox is keyed on
 * the Slack message (an earlier attempt that got there ends this one), files are downloaded once
 * (kept on the intake), and a quick reply is counted and announced only by the attempt that queued it.
 */
export async function processThreadReply(ctx: IntakeContext, intake: Intake): Promise<IntakeOutcome> {
  const { deps, client } = ctx;
  const { repos } = deps;
  const m = { channel: intake.channel, ts: intake.ts!, thread_ts: intake.threadTs, user: intake.user };
  const contact = await repos.contacts.findBySlackThread(m.channel, m.thread_ts);
  if (!contact) return { kind: 'ignored', reason: 'this thread is no longer a WhatsApp conversation (its contact may have been erased)' };
  // A notes-only channel keeps every reply in Slack; the card's Reply button answers the customer.
  if ((await channelMode(repos.settings, m.channel)) === 'notes-only') return { kind: 'ignored', reason: 'this channel keeps thread replies in Slack (notes-only); use the card\'s Reply button' };
  // No early "already recorded?" here: a retry after part 1 of several was queued must still queue
  // the rest. Every part's outbox row is keyed on the Slack message and its part number.
  const log = ctx.log.child({ contact: contact.waId, slackTs: m.ts });
  const at = deps.clock();
  const slack = { channel: m.channel, ts: m.ts };
  const typed = slackToWhatsApp(intake.text ?? '').trim();
  let text = typed;
  const tell = (body: string) => client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, text: body });

  const gate = await checkPersonConsent({ contacts: repos.contacts }, contact, 'reply');
  if (!gate.allowed) {
    const { duplicate } = await repos.messages.recordOutbound({ contactWaId: contact.waId, body: text, purpose: 'reply', slack, agent: m.user, at, state: 'blocked', reason: gate.reason });
    if (duplicate) return { kind: 'duplicate' };
    log.info({ consent: contact.consent.status }, 'reply refused by the consent gate'); // not the reason: it names the contact
    // Each on its own: a failed audit write must not keep the 🚫 and the reason from the agent.
    await bestEffort(log, 'audit a refused reply', () => repos.audit.record({ actor: m.user, action: 'reply', args: { contact: contact.waId, slackTs: m.ts }, outcome: 'refused', at }));
    await bestEffort(log, 'tell the agent of a refused reply', () => tell(`:no_entry_sign: ${gate.reason}.`));
    await bestEffort(log, 'mark a refused reply', () => client.reactions.add({ channel: m.channel, timestamp: m.ts, name: DELIVERY_REACTIONS.blocked }));
    return { kind: 'refused' };
  }
  // Outside WhatsApp's 24-hour window free text (files too) would only fail later: refused now, nothing queued.
  const closed = windowRefusal(deps.config.whatsapp.gateway, contact, at);
  if (closed) {
    log.info('reply refused: the 24-hour window is closed');
    await bestEffort(log, 'tell the agent the window is closed', () => client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, ...windowClosedNotice(contact.waId, closed) }));
    await bestEffort(log, 'mark a refused reply', () => client.reactions.add({ channel: m.channel, timestamp: m.ts, name: DELIVERY_REACTIONS.blocked }));
    return { kind: 'refused' };
  }
  const expanded = await expandQuickReply(typed, { quickReplies: repos.quickReplies, client, user: m.user, contactName: contactPlainName(contact) });
  if ('unknown' in expanded) {
    await tell(`No quick reply \`!${escapeMrkdwn(expanded.unknown)}\` (\`/wa qr list\` shows them); nothing was sent.`);
    return { kind: 'ignored' };
  }
  text = expanded.text;
  const quickReply = expanded.shortcut;
  const attachments = await attachmentsOf(ctx, intake);
  if ((intake.files?.length ?? 0) > 0 && attachments.length === 0 && !text) return { kind: 'ignored' };

  // One WhatsApp message per file, the text (signed) as the first one's caption or on its own.
  const signature = await deps.signature(client, m.user);
  const body = signed(text, signature);
  const parts = attachments.length > 0 ? attachments.map((media, i) => ({ media, body: i === 0 ? body : '' })) : [{ media: undefined, body }];
  const { undoMs } = deps.config.bridge;
  // The window starts now, not when the reply arrived: the profile lookup and file downloads above
  // may have taken seconds the agent must not lose.
  const queuedAt = deps.clock();
  const holdUntil = undoMs > 0 ? new Date(queuedAt.getTime() + undoMs) : undefined;
  let queued = 0;
  for (const [i, part] of parts.entries()) {
    const { duplicate, message } = await repos.messages.recordOutbound({
      contactWaId: contact.waId,
      body: part.body,
      ...(part.media ? { media: part.media } : {}),
      ...(i > 0 ? { part: i + 1 } : {}),
      purpose: 'reply',
      via: 'thread',
      slack,
      agent: m.user,
      ...(part.body ? { signature } : {}),
      at: queuedAt,
      state: 'pending',
      ...(holdUntil ? { holdUntil } : {}),
    });
    if (!duplicate) queued++;
    // Fetched for nothing, unless the row already there holds these very bytes (kept by an earlier attempt).
    else if (part.media?.storedId && message.media?.storedId !== part.media.storedId) await repos.media.remove(part.media.storedId);
  }
  if (queued === 0) return { kind: 'duplicate' };
  log.debug({ parts: queued, undoMs }, 'reply queued for WhatsApp');
  // Only the attempt that queued it counts the quick reply: counted at most once.
  if (quickReply) {
    await bestEffort(log, 'count the quick reply', async () => {
      await repos.quickReplies.incrementUsage(quickReply);
      await tell(`:zap: Sent as: ${escapeMrkdwn(text)}`);
    });
  }
  if (holdUntil) await bestEffort(log, 'show the undo notice', () => client.chat.postEphemeral({ channel: m.channel, user: m.user, thread_ts: m.thread_ts, ...undoNotice(slack, undoMs) }));
  deps.wakeOutbound(contact.waId);
  return { kind: 'queued' };
}

/** The files, downloaded once: kept on the intake, so a retry sends the same bytes without fetching them again. */
async function attachmentsOf(ctx: IntakeContext, intake: Intake): Promise<MediaRef[]> {
  if (intake.attachments) return intake.attachments;
  const files = intake.files ?? [];
  if (files.length === 0) return [];
  const { repos, config } = ctx.deps;
  const kept = await keepSlackFiles(files, { botToken: config.slack.botToken, apiUrl: config.slack.apiUrl, maxBytes: config.bridge.mediaMaxBytes, media: repos.media });
  const refs = kept.flatMap((k) => (k.ref ? [k.ref] : []));
  try {
    await repos.intakes.keepAttachments(intake.id, refs);
  } catch (err) {
    // Not noted, so the retry downloads again: these copies would be orphans.
    for (const ref of refs) if (ref.storedId) await repos.media.remove(ref.storedId).catch(() => undefined);
    throw err;
  }
  const problems = kept.filter((k) => k.problem).map((k) => `*${escapeMrkdwn(k.name)}*: ${escapeMrkdwn(k.problem!)}`);
  if (problems.length > 0) {
    await bestEffort(ctx.log, 'list the files not sent', () =>
      ctx.client.chat.postEphemeral({ channel: intake.channel, user: intake.user, thread_ts: intake.threadTs, text: `:warning: Not sent to WhatsApp:\n${problems.join('\n')}` }),
    );
  }
  return refs;
}
