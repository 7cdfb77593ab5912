import type { SlackCall } from '../../support/slack/fake-slack-api';
import { stopEndsOptedOut } from './opt-out-episodes';
import { optOutConfirmation, type Violation } from './violations';
import type { RunEvent } from './run-events';
import type { World } from './world';

/** Reactions that tell the thread a reply did not go out (failed, or refused by the consent gate). */
const FAILURE_MARKS = new Set(['warning', 'no_entry_sign']);

type Inbound = Extract<RunEvent, { type: 'inbound' }>;

const tsValue = (ts: unknown) => {
  const [s = '0', f = '0'] = String(ts).split('.');
  return Number(s) * 1e6 + Number(f.padEnd(6, '0'));
};

/** Checks every invariant of a quiescent run; an empty list means the run kept every promise. */
export async function checkInvariants(world: World): Promise<Violation[]> {
  return [...(await inboundOnceInOrder(world)), ...noSendAfterOptOut(world), ...(await stopEndsOptedOut(world)), ...replyOnceOrFailed(world)];
}

/** 1 — read from what Slack kept (a post Slack took counts even if its answer was an error). */
async function inboundOnceInOrder(world: World): Promise<Violation[]> {
  const out: Violation[] = [];
  const v = (detail: string) => out.push({ invariant: 'inboundOnceInOrder', detail });
  const kept = world.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.result).sort((a, b) => tsValue(a.result!.ts) - tsValue(b.result!.ts));
  const postsOf = new Map<string, SlackCall[]>();
  for (const post of kept) {
    const id = (post.args.metadata as { event_payload?: { wa_message_id?: string } } | undefined)?.event_payload?.wa_message_id;
    if (id) postsOf.set(id, [...(postsOf.get(id) ?? []), post]);
  }
  const inbound = world.events.filter((e): e is Inbound => e.type === 'inbound');
  for (const contact of new Set(inbound.map((e) => e.contact))) {
    const mine = inbound.filter((e) => e.contact === contact);
    const thread = (await world.oracle.contacts.findByWaId(contact))?.slack;
    for (const e of mine) {
      const posts = postsOf.get(e.id) ?? [];
      if (posts.length !== 1) v(`"${e.text}" from ${contact} (${e.id}) is in Slack ${posts.length} times`);
      const elsewhere = posts.filter((p) => thread && p.args.thread_ts !== thread.threadTs);
      if (elsewhere.length > 0) v(`"${e.text}" from ${contact} was posted outside the contact's thread (${thread!.threadTs})`);
    }
    const expected = mine.filter((e) => postsOf.has(e.id)).map((e) => e.text);
    const shown = kept.flatMap((p) => {
      const id = (p.args.metadata as { event_payload?: { wa_message_id?: string } } | undefined)?.event_payload?.wa_message_id;
      const e = mine.find((m) => m.id === id);
      return e && postsOf.get(e.id)![0] === p ? [e.text] : [];
    });
    if (shown.join('|') !== expected.join('|')) v(`${contact}'s messages are in Slack as [${shown.join(', ')}], WhatsApp order is [${expected.join(', ')}]`);
  }
  return out;
}

/**
 * 2 — each send is judged by the store's state as the app's last check in the send slot began (an
 * opt-out stored during that check is the window no check closes), or, without such a check, right
 * before the gateway call; and by STOPs still waiting on the phone.
 */
function noSendAfterOptOut(world: World): Violation[] {
  const out: Violation[] = [];
  const inbound = world.events.filter((e): e is Inbound => e.type === 'inbound');
  for (const send of world.gateway.probed) {
    if (send.text === optOutConfirmation) continue;
    // Judged where the app's last-moment check began, when it made one; else right before the gateway call.
    const status = send.statusAtCheck ?? send.statusAtSend;
    if (status === 'opted_out' || status === 'no contact') {
      const state = status === 'opted_out' ? 'had them opted out' : 'had no such contact (erased)';
      const when = send.statusAtCheck ? 'when its last check began' : 'right before it went';
      out.push({ invariant: 'noSendAfterOptOut', detail: `"${send.text}" went to ${send.chatId} though the store ${state} ${when}` });
      continue;
    }
    // A STOP that reached WhatsApp while the app was away: the catch-up must read it before anything goes out.
    const mine = inbound.filter((e) => e.contact === send.chatId && e.seq < send.seq);
    const lastStop = mine.filter((e) => e.text === 'STOP' && !e.seen).at(-1);
    if (lastStop && !mine.some((e) => e.text === 'START' && e.seq > lastStop.seq)) {
      out.push({ invariant: 'noSendAfterOptOut', detail: `"${send.text}" went to ${send.chatId} after their STOP reached WhatsApp while the app was away (sent before the catch-up read it)` });
    }
  }
  return out;
}

/** 4 — counted on WhatsApp; "visibly failed" is a ⚠️ (or 🚫, refused by consent) reaction on the agent's message. */
function replyOnceOrFailed(world: World): Violation[] {
  const out: Violation[] = [];
  const marks = world.slack.calls.filter((c) => c.method === 'reactions.add' && FAILURE_MARKS.has(String(c.args.name)));
  for (const r of world.events) {
    if (r.type !== 'reply') continue;
    const sent = world.gateway.sent.filter((s) => s.kind === 'text' && s.chatId === r.contact && s.text === r.text).length;
    if (sent > 1) out.push({ invariant: 'replyOnceOrFailed', detail: `reply "${r.text}" was sent to WhatsApp ${sent} times` });
    if (sent === 0 && !marks.some((m) => m.args.timestamp === r.ts)) {
      out.push({ invariant: 'replyOnceOrFailed', detail: `reply "${r.text}" (Slack ts ${r.ts}, HTTP ${r.status}) was never sent, and nothing in Slack shows it failed` });
    }
  }
  return out;
}
