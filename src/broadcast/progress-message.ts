import type { webApi } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Broadcast } from '../domain/broadcast';
import type { Logger } from '../logger';
import { escapeMrkdwn } from '../slack/mrkdwn';
import type { BroadcastRepository } from '../store/repositories/broadcast-repository';
import type { BroadcastFigures } from './broadcast-runner';
import { summarize, summaryLines, type BroadcastOutcomeQueries } from './summary';

/** The progress message is redrawn at most this often while the broadcast runs (Slack allows about one update a second per channel). */
export const PROGRESS_EVERY_MS = 5_000;
export const BROADCAST_CONTROLS = { pause: 'broadcast_pause', resume: 'broadcast_resume', cancel: 'broadcast_cancel' } as const;

const BAR_CELLS = 10;
const OVER: ReadonlySet<Broadcast['state']> = new Set(['done', 'cancelled', 'rejected']);
/** States whose change is always drawn, however recently the message was. */
const SETTLED: ReadonlySet<Broadcast['state']> = new Set(['done', 'cancelled', 'paused']);

export interface DrawDeps {
  broadcasts: Pick<BroadcastRepository, 'recipients'>;
  /** Whether WhatsApp is connected now (sending waits for it). */
  connected: () => boolean;
  outcomes?: BroadcastOutcomeQueries;
}

/** The progress bar: `▰▰▰▱▱▱▱▱▱▱ 30 %`. */
export function progressBar(done: number, total: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(share * BAR_CELLS);
  return `${'▰'.repeat(full)}${'▱'.repeat(BAR_CELLS - full)} ${Math.floor(share * 100)} %`;
}

/** Time left at the pace seen so far: what is left ÷ what was done per millisecond since it started. */
export function timeLeft(left: number, done: number, startedAt: Date | undefined, now: Date): string {
  const elapsed = startedAt ? now.getTime() - startedAt.getTime() : 0;
  if (left === 0) return 'none';
  if (done === 0 || elapsed <= 0) return '—';
  const ms = (left * elapsed) / done;
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return 'under a minute';
  return minutes < 60 ? `about ${minutes} min` : `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger', confirm?: object): object {
  return { type: 'button', text: { type: 'plain_text', text }, action_id: actionId, value, ...(style ? { style } : {}), ...(confirm ? { confirm } : {}) };
}

/** The message for a broadcast as it stands: progress while it runs, its results once it is over. */
export async function drawBroadcast(deps: DrawDeps, broadcast: Broadcast, figures: BroadcastFigures, now: Date): Promise<{ text: string; blocks: object[] }> {
  const r = figures.recipients;
  const d = figures.delivery;
  const total = (r.pending ?? 0) + (r.queued ?? 0) + (r.skipped ?? 0) || broadcast.planned.recipients;
  const left = (r.pending ?? 0) + (d.pending ?? 0) + (d.sending ?? 0);
  const done = Math.max(0, total - left);
  const title = `:mega: *Broadcast “${escapeMrkdwn(broadcast.name)}”* — ${broadcast.state.replace('_', ' ')}`;
  const text = `Broadcast “${broadcast.name}”: ${broadcast.state.replace('_', ' ')}`;
  if (OVER.has(broadcast.state)) {
    const lines = summaryLines(await summarize({ recipients: (id) => deps.broadcasts.recipients(id), ...(deps.outcomes ? { outcomes: deps.outcomes } : {}) }, broadcast, figures));
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: [title, ...lines].join('\n') } }] };
  }
  const sent = (d.sent ?? 0) + (d.delivered ?? 0) + (d.read ?? 0);
  const lines = [
    title,
    `\`${progressBar(done, total)}\``,
    `*Sent* ${sent} · *Delivered* ${(d.delivered ?? 0) + (d.read ?? 0)} · *Read* ${d.read ?? 0} · *Failed* ${(d.failed ?? 0) + (d.blocked ?? 0)} · *Skipped* ${r.skipped ?? 0} — of ${total}`,
    `*Time left* ${broadcast.state === 'paused' ? '— (paused)' : timeLeft(left, done, broadcast.startedAt, now)}`,
  ];
  if (!deps.connected()) lines.push(':hourglass_flowing_sand: waiting for WhatsApp (not connected): sending goes on by itself once it is back.');
  const id = broadcast.id;
  const cancel = button('Cancel', BROADCAST_CONTROLS.cancel, id, 'danger', {
    title: { type: 'plain_text', text: 'Cancel this broadcast?' },
    text: { type: 'mrkdwn', text: 'Nobody who has not got it yet will get it. This cannot be undone.' },
    confirm: { type: 'plain_text', text: 'Cancel broadcast' },
    deny: { type: 'plain_text', text: 'Keep sending' },
    style: 'danger',
  });
  const toggle = broadcast.state === 'paused' ? button('Resume', BROADCAST_CONTROLS.resume, id, 'primary') : button('Pause', BROADCAST_CONTROLS.pause, id);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }, { type: 'actions', block_id: `broadcast_controls:${id}`, elements: [toggle, cancel] }] };
}

export interface ProgressMessagesDeps extends DrawDeps {
  client: () => webApi.WebClient;
  broadcasts: Pick<BroadcastRepository, 'recipients' | 'setProgress' | 'get'>;
  /** The leads' channel (SLACK_ADMIN_CHANNEL); without it there is no progress message. */
  channel: string | undefined;
  clock: Clock;
  logger: Logger;
}

/**
 * The runner's `onProgress`: one message per broadcast in the leads' channel, posted at its first
 * pass and then updated in place — at most every {@link PROGRESS_EVERY_MS}, but always when it
 * settles (done, cancelled, paused). Its channel and ts are stored on the broadcast, so after a
 * restart the same message goes on being updated.
 */
export function createProgressMessages(deps: ProgressMessagesDeps): (broadcast: Broadcast, figures: BroadcastFigures) => Promise<void> {
  const log = deps.logger.child({ component: 'broadcast-progress' });
  const channel = deps.channel;
  let told = false;
  /** When this instance last drew each message (the stored `updatedAt` covers a restart). */
  const drawnAt = new Map<string, number>();
  return async (passed, figures) => {
    if (!channel) {
      if (!told) log.info('SLACK_ADMIN_CHANNEL is not set: broadcasts run without a progress message');
      told = true;
      return;
    }
    const now = deps.clock();
    const recent = (b: Broadcast) => {
      const last = drawnAt.get(b.id) ?? b.progress?.updatedAt?.getTime();
      return b.progress !== undefined && last !== undefined && now.getTime() - last < PROGRESS_EVERY_MS && !SETTLED.has(b.state);
    };
    // Most passes (one a second) end here, without a read.
    if (recent(passed)) return;
    // The pass read it before a lead's Pause or Cancel maybe: drawn as it is now, never back.
    const broadcast = (await deps.broadcasts.get(passed.id)) ?? passed;
    if (recent(broadcast)) return;
    try {
      const { text, blocks } = await drawBroadcast(deps, broadcast, figures, now);
      const client = deps.client();
      if (broadcast.progress) {
        await client.chat.update({ channel: broadcast.progress.channel, ts: broadcast.progress.ts, text, blocks: blocks as never });
        await deps.broadcasts.setProgress(broadcast.id, { ...broadcast.progress, updatedAt: now });
      } else {
        const posted = await client.chat.postMessage({ channel, text, blocks: blocks as never });
        await deps.broadcasts.setProgress(broadcast.id, { channel: posted.channel ?? channel, ts: posted.ts!, updatedAt: now });
      }
      drawnAt.set(broadcast.id, now.getTime());
    } catch (err) {
      // The next pass draws it again; a progress message is never worth stopping a broadcast for.
      log.warn({ err, broadcast: broadcast.id }, 'could not draw the broadcast progress message');
    }
  };
}
