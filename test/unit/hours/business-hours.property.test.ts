import fc from 'fast-check';
import { openState, type BusinessHours } from '../../../src/hours/business-hours';
import { parseBusinessHours, type ParsedBusinessHours } from '../../../src/hours/schedule-input';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
// Zones whose offsets change only on whole UTC hours (the oracle relies on it), with and without summer time.
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
// Each summer-time change of 2026 in those zones (all in the small hours of a Sunday, local time).
const CHANGES: Array<[string, string]> = [
  ['Europe/London', '2026-03-29T01:00:00Z'],
  ['Europe/London', '2026-10-25T01:00:00Z'],
  ['America/New_York', '2026-03-08T07:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['Australia/Sydney', '2026-04-04T16:00:00Z'],
  ['Australia/Sydney', '2026-10-03T16:00:00Z'],
];

/**
 * Brute force, written apart from the module: walks time minute by minute, reads each minute's
 * wall clock with its own formatter (cached per UTC hour), and keeps the latest wall time seen so
 * far. A minute is open when that latest wall time lies in a span, so a skipped wall time opens at
 * the jump and a repeated hour counts only once, the first time round.
 */
function oracle(hours: BusinessHours, at: number, timeZone: string): { open: boolean; changesAt: number | null } {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const byHour = new Map<number, number>();
  const wallAt = (t: number) => {
    const hour = Math.floor(t / HOUR) * HOUR;
    let wall = byHour.get(hour);
    if (wall === undefined) {
      const p = Object.fromEntries(format.formatToParts(new Date(hour)).map((part) => [part.type, Number(part.value)]));
      wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
      byHour.set(hour, wall);
    }
    return wall + (t - hour);
  };
  const mins = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  // Per calendar day: the minutes open by spans starting that day (1440 onwards: past midnight).
  const byDay = new Map<number, boolean[]>();
  const openMinutes = (day: number) => {
    let minutes = byDay.get(day);
    if (minutes === undefined) {
      minutes = new Array<boolean>(2880).fill(false);
      const date = new Date(day * DAY);
      if (!hours.closedDates.includes(date.toISOString().slice(0, 10))) {
        for (const s of hours[DAYS[(date.getUTCDay() + 6) % 7]!]) {
          const from = mins(s.from);
          const to = mins(s.to);
          for (let m = from; m < (to > from ? to : to + 1440); m++) minutes[m] = true;
        }
      }
      byDay.set(day, minutes);
    }
    return minutes;
  };
  const inSpan = (wall: number) => {
    const day = Math.floor(wall / DAY);
    const minute = (wall - day * DAY) / MINUTE;
    return openMinutes(day)[minute]! || openMinutes(day - 1)[minute + 1440]!;
  };
  let latest = -Infinity;
  const openAt = (t: number) => inSpan((latest = Math.max(latest, wallAt(t))));
  for (let t = at - 3 * HOUR; t < at; t += MINUTE) latest = Math.max(latest, wallAt(t));
  const open = openAt(at);
  for (let t = at + MINUTE; t < at + 40 * DAY; t += MINUTE) if (openAt(t) !== open) return { open, changesAt: t };
  return { open, changesAt: null };
}

const hhmm = (quarter: number) => `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;
// Any quarter hour, or often one where spans meet each other or a summer-time change (00:00, 01:00,
// 01:30, 02:00, 02:30, 03:00, 22:00); 96 is 24:00.
const quarter = fc.oneof(fc.integer({ min: 0, max: 96 }), fc.constantFrom(0, 4, 6, 8, 10, 12, 88, 96));
const span = fc.record({ from: quarter.filter((q) => q < 96), to: quarter }).map(({ from, to }) => ({ from: hhmm(from), to: to === 96 ? '24:00' : hhmm(to) }));
// A zone and an instant: a few hours either side of one of its changes, or anywhere in the year.
const moment = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -5 * 60, max: 2 * 60 })).map(([[zone, change], minutes]) => ({ zone, at: Date.parse(change) + minutes * MINUTE })), weight: 2 },
  {
    arbitrary: fc.record({
      zone: fc.constantFrom(...ZONES),
      at: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z') / MINUTE, max: Date.parse('2026-12-20T00:00:00Z') / MINUTE }).map((m) => m * MINUTE),
    }),
    weight: 1,
  },
);
const schedule = (at: number) =>
  fc
    .record({
      week: fc.array(fc.oneof(fc.constant([]), fc.array(span, { minLength: 1, maxLength: 1 }), fc.array(span, { minLength: 2, maxLength: 2 })), { minLength: 7, maxLength: 7 }),
      closed: fc.uniqueArray(fc.integer({ min: -3, max: 12 }), { maxLength: 3 }),
    })
    .map(({ week, closed }) => parseBusinessHours({ ...Object.fromEntries(DAYS.map((day, i) => [day, week[i]])), closedDates: closed.map((d) => new Date(at + d * DAY).toISOString().slice(0, 10)) }))
    .filter((parsed): parsed is Extract<ParsedBusinessHours, { ok: true }> => parsed.ok)
    .map((parsed) => parsed.hours);

describe('openState against a minute-by-minute walk', () => {
  it('for any valid schedule, zone and instant, says open or closed as the walk does, and changes at the first minute the walk changes', () => {
    fc.assert(
      fc.property(
        moment.chain(({ zone, at }) => fc.tuple(fc.constant(at), schedule(at), fc.constant(zone))),
        ([at, hours, zone]) => {
          const state = openState(hours, new Date(at), zone);
          const expected = oracle(hours, at, zone);
          const changesAt = state.open ? state.closesAt : state.opensAt;
          expect({ open: state.open, changesAt: changesAt?.getTime() ?? null }).toEqual(expected);
        },
      ),
      { seed: 21, numRuns: 100 },
    );
  });
});
