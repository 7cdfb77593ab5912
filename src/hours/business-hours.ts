import { offsetAt, wallClockIn, type WallClock } from '../time-zone';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * One opening span in wall-clock time, 'HH:MM'. A `to` earlier than `from` runs overnight into the
 * next day (22:00–02:00); `to` of '24:00' (or an overnight '00:00') closes at midnight.
 */
export interface Span {
  from: string;
  to: string;
}

/**
 * The weekly schedule (an empty list: closed that day) and the closed dates ('YYYY-MM-DD'), read in
 * the team's time zone. A closed date closes the spans that start on it, including the part of an
 * overnight span after midnight; a span that started the day before is not cut short by it.
 */
export type BusinessHours = Record<Weekday, Span[]> & { closedDates: string[] };

/** `closesAt` null: open around the clock with no closed date ahead; `opensAt` null: never opens. */
export type OpenState = { open: true; closesAt: Date | null } | { open: false; opensAt: Date | null };

const MINUTE = 60_000;
const DAY = 86_400_000;

export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Where a span ends, in minutes from the start of the day it starts on (past 1440 when overnight). */
export function spanEnd(span: Span): number {
  const from = minutesOf(span.from);
  const to = minutesOf(span.to);
  return to > from ? to : to + 1440;
}

/** The weekday of a calendar day counted from the epoch (1970-01-01 was a Thursday). */
function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 3) % 7) + 7) % 7]!;
}

function isoDate(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/**
 * The instant a wall-clock time (given as if it were UTC) means: the first instant at which the
 * zone's clock reads that time or later. So a time skipped by a spring-forward change means the
 * moment the clocks jump (01:30 on the London spring-forward night opens at 02:00 BST), and a time
 * repeated by a fall-back change means its first occurrence. One rule, and it keeps the mapping
 * monotonic, so a span is always one unbroken stretch of time (or none, when it falls in a gap).
 */
export function instantOf(clock: (ms: number) => WallClock, wall: number): number {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const offsets = new Set([offsetAt(clock, wall - DAY), offsetAt(clock, wall + DAY)]);
  const matches = [...offsets].map((offset) => wall - offset).filter((t) => clock(t).asUtc === wall);
  if (matches.length > 0) return Math.min(...matches);
  // In a gap: find the change by bisection, to the second, between the two readings.
  let lo = wall - Math.max(...offsets); // the clock reads before `wall` here
  let hi = wall - Math.min(...offsets); // and at or after it here
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (clock(mid).asUtc >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Opening intervals as instants, in order of their start, from the day before `from` onwards. */
function* openings(hours: BusinessHours, clock: (ms: number) => WallClock, fromDay: number, days: number): Generator<[number, number]> {
  const closed = new Set(hours.closedDates);
  for (let day = fromDay - 1; day <= fromDay + days; day++) {
    if (closed.has(isoDate(day))) continue;
    const spans = [...hours[weekdayOf(day)]].sort((a, b) => minutesOf(a.from) - minutesOf(b.from));
    for (const span of spans) {
      const start = instantOf(clock, day * DAY + minutesOf(span.from) * MINUTE);
      const end = instantOf(clock, day * DAY + spanEnd(span) * MINUTE);
      if (end > start) yield [start, end];
    }
  }
}

/** Whether the business is open at `at`, and when that changes (adjoining spans count as one). */
export function openState(hours: BusinessHours, at: Date, timeZone: string): OpenState {
  const clock = wallClockIn(timeZone);
  const now = at.getTime();
  const today = Math.floor(clock(now).asUtc / DAY);
  // Each closed date ahead can skip at most one week's spans; a week and two days more always
  // reach the next opening, or the next closing of a schedule that is not open around the clock.
  const ahead = hours.closedDates.filter((date) => date >= isoDate(today - 1)).length;
  let openUntil: number | null = null;
  for (const [start, end] of openings(hours, clock, today, 7 * (ahead + 1) + 9)) {
    if (openUntil !== null) {
      if (start > openUntil) return { open: true, closesAt: new Date(openUntil) };
      openUntil = Math.max(openUntil, end);
    } else if (end <= now) continue;
    else if (start <= now) openUntil = end;
    else return { open: false, opensAt: new Date(start) };
  }
  return openUntil !== null ? { open: true, closesAt: null } : { open: false, opensAt: null };
}

const DAY_NAMES: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

/** 'open now', 'closed — opens Tue 09:00' (in `timeZone`) or 'closed', for App Home and `/wa status`. */
export function describeOpening(state: OpenState, timeZone: string): string {
  if (state.open) return 'open now';
  if (state.opensAt === null) return 'closed';
  return `closed — opens ${weekdayAndTime(state.opensAt, timeZone)}`;
}

/** 'Tue 09:00': an instant as the team reads it (the away message's `{{opens_at}}`). */
export function weekdayAndTime(at: Date, timeZone: string): string {
  const wall = wallClockIn(timeZone)(at.getTime());
  const time = `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;
  return `${DAY_NAMES[weekdayOf(Math.floor(wall.asUtc / DAY))]} ${time}`;
}
