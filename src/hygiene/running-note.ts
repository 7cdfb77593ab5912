import { z } from 'zod';
import type { JobName } from '../domain/hygiene';

/** What a run notes about itself while it holds its job (read back only to tell another caller). */
export const runningNote = z.object({
  holder: z.string(),
  startedAt: z.coerce.date(),
  trigger: z.enum(['schedule', 'catch-up', 'command']),
});
export type RunningNote = z.infer<typeof runningNote>;

const HOW: Record<RunningNote['trigger'], string> = { schedule: 'scheduled', 'catch-up': 'catching up a missed slot', command: 'started by a lead' };

/** The refusal a caller gets while the job runs elsewhere; the note may be missing (written just after the lock). */
export function busyMessage(name: JobName, note: RunningNote | undefined, timezone: string): string {
  const when = note
    ? `, started ${new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: timezone }).format(note.startedAt)} ${timezone}, ${HOW[note.trigger]}`
    : '';
  return `A hygiene run is already in progress (${name}${when}). Try again when it has finished.`;
}
