import { z } from 'zod';
import { WEEKDAYS, minutesOf, spanEnd, type BusinessHours, type Span, type Weekday } from './business-hours';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const span = z
  .strictObject({
    from: z.string().regex(TIME, 'must be a time HH:MM, 00:00 to 23:59'),
    to: z.string().regex(END_TIME, 'must be a time HH:MM, 00:00 to 24:00'),
  })
  // An equal end would be an empty span; an earlier one is meant overnight.
  .refine((s) => minutesOf(s.from) !== minutesOf(s.to), { message: 'must differ from the opening time', path: ['to'] });

const closedDate = z
  .string()
  .regex(DATE, 'must be a date YYYY-MM-DD')
  .refine((date) => !DATE.test(date) || isCalendarDate(date), 'is not a date in the calendar');

function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const read = new Date(Date.UTC(year, month - 1, day));
  return read.getUTCFullYear() === year && read.getUTCMonth() === month - 1 && read.getUTCDate() === day;
}

const weekSchema = Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(span).default([])])) as Record<Weekday, z.ZodDefault<z.ZodArray<typeof span>>>;

/** The raw schedule, as a modal or the store hands it over; each error is reported under its field. */
export const businessHoursInput = z
  .strictObject({ ...weekSchema, closedDates: z.array(closedDate).default([]) })
  // Runs even when other fields are wrong, so every error shows at once; it reads only valid spans.
  .superRefine((raw, ctx) => {
    for (const { path, message } of overlaps(raw as Partial<Record<Weekday, unknown>>)) ctx.addIssue({ code: 'custom', path, message });
  }, { when: () => true });

const WEEK = 7 * 1440;
type Placed = { day: Weekday; index: number; span: Span; start: number; end: number };

/**
 * Spans that start inside another one, in minutes of the week (an overnight span runs into the next
 * day; Sunday's into Monday). Adjoining spans (12:00 to, 12:00 from) do not overlap.
 */
function overlaps(raw: Partial<Record<Weekday, unknown>>): Array<{ path: Array<string | number>; message: string }> {
  const placed: Placed[] = [];
  WEEKDAYS.forEach((day, dayIndex) => {
    const spans = raw?.[day];
    if (!Array.isArray(spans)) return;
    spans.forEach((candidate: unknown, index) => {
      const parsed = span.safeParse(candidate);
      if (!parsed.success) return;
      const start = dayIndex * 1440 + minutesOf(parsed.data.from);
      placed.push({ day, index, span: parsed.data, start, end: start - minutesOf(parsed.data.from) + spanEnd(parsed.data) });
    });
  });
  const found: Array<{ path: Array<string | number>; message: string }> = [];
  for (const later of placed) {
    const other = placed.find((earlier) => {
      if (earlier === later) return false;
      // `later` starts inside `earlier` (this week, or from last week's end), or both start together and `later` is listed after.
      const inside = [later.start, later.start + WEEK].some((start) => earlier.start < start && start < earlier.end);
      return inside || (earlier.start === later.start && (earlier.day !== later.day || earlier.index < later.index));
    });
    if (other) found.push({ path: [later.day, later.index, 'from'], message: `overlaps ${other.day} ${other.span.from}–${other.span.to}` });
  }
  return found;
}

export type ParsedBusinessHours = { ok: true; hours: BusinessHours } | { ok: false; errors: Record<string, string> };

/**
 * Parses a schedule, or returns every error keyed by its field ('tue.1.to', 'closedDates.0', ''
 * for the whole input) so a modal can show each next to its field.
 */
export function parseBusinessHours(raw: unknown): ParsedBusinessHours {
  const parsed = businessHoursInput.safeParse(raw);
  if (parsed.success) return { ok: true, hours: parsed.data };
  const errors: Record<string, string> = {};
  const add = (field: string, message: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
  };
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key].join('.'), 'unknown weekday: use mon, tue, wed, thu, fri, sat or sun');
    } else add(issue.path.join('.'), issue.message);
  }
  return { ok: false, errors };
}
