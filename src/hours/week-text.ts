import type { Span } from './business-hours';

/**
 * The hours modal's text form of a weekday: `09:00-17:00, 18:00-20:00`, `closed`, or nothing
 * (closed). Only the shape is read here; whether a time exists, spans overlap and the like are the
 * schedule's rules (schedule-input.ts), so one place decides what a valid schedule is.
 */
export type DayText = { ok: true; spans: Span[] } | { ok: false; error: string };

// A one-digit hour is padded ("9:00" → "09:00"); any dash a phone or word processor may turn "-" into.
const SPAN = /^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$/;
const HOW = 'write opening spans like 09:00-17:00, several separated by commas, or closed';

export function parseDayText(typed: string): DayText {
  const text = typed.trim();
  if (text === '' || text.toLowerCase() === 'closed') return { ok: true, spans: [] };
  const spans: Span[] = [];
  for (const part of text.split(/[,;]/)) {
    const match = SPAN.exec(part.trim());
    if (!match) return { ok: false, error: `"${shorten(part.trim())}" is not a span: ${HOW}.` };
    const [, fromH, fromM, toH, toM] = match as unknown as [string, string, string, string, string];
    spans.push({ from: `${fromH.padStart(2, '0')}:${fromM}`, to: `${toH.padStart(2, '0')}:${toM}` });
  }
  return { ok: true, spans };
}

/** The form a weekday is shown in (and typed back): `09:00-17:00, 18:00-20:00` or `closed`. */
export function spansText(spans: readonly Span[]): string {
  return spans.length === 0 ? 'closed' : spans.map((s) => `${s.from}-${s.to}`).join(', ');
}

/** Closed dates typed one a line or comma separated; each entry is checked by the schedule's rules. */
export function parseClosedDatesText(typed: string): string[] {
  return typed
    .split(/[\n,;]/)
    .map((date) => date.trim())
    .filter(Boolean);
}

export function closedDatesText(dates: readonly string[]): string {
  return dates.join('\n');
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
