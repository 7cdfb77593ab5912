import { describeOpening, openState, type BusinessHours, type OpenState } from '../../../src/hours/business-hours';
import { parseBusinessHours } from '../../../src/hours/schedule-input';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

function hours(partial: Partial<BusinessHours>): BusinessHours {
  return { ...closedWeek, closedDates: [], ...partial };
}
const at = (iso: string) => new Date(iso);
const open = (closesAt: string | null): OpenState => ({ open: true, closesAt: closesAt === null ? null : new Date(closesAt) });
const closed = (opensAt: string | null): OpenState => ({ open: false, opensAt: opensAt === null ? null : new Date(opensAt) });

// January: London is on GMT, so wall-clock times read as UTC. 2026-01-05 is a Monday.
describe('openState', () => {
  const weekdays = hours({ mon: [{ from: '09:00', to: '17:00' }], tue: [{ from: '09:00', to: '17:00' }] });

  it('is open from the opening minute itself and closed from the closing minute itself', () => {
    expect(openState(weekdays, at('2026-01-05T08:59:00Z'), LONDON)).toEqual(closed('2026-01-05T09:00:00Z'));
    expect(openState(weekdays, at('2026-01-05T09:00:00Z'), LONDON)).toEqual(open('2026-01-05T17:00:00Z'));
    expect(openState(weekdays, at('2026-01-05T16:59:59Z'), LONDON)).toEqual(open('2026-01-05T17:00:00Z'));
    expect(openState(weekdays, at('2026-01-05T17:00:00Z'), LONDON)).toEqual(closed('2026-01-06T09:00:00Z'));
  });

  it('after the last span of the week, opens at the first span of the next week', () => {
    expect(openState(weekdays, at('2026-01-06T17:00:00Z'), LONDON)).toEqual(closed('2026-01-12T09:00:00Z'));
  });

  it('reads wall-clock time in the zone given', () => {
    // 09:00 in New York in January is 14:00 UTC.
    expect(openState(weekdays, at('2026-01-05T13:59:00Z'), NEW_YORK)).toEqual(closed('2026-01-05T14:00:00Z'));
    expect(openState(weekdays, at('2026-01-05T14:00:00Z'), NEW_YORK)).toEqual(open('2026-01-05T22:00:00Z'));
  });

  describe('an overnight span (Monday 22:00–02:00)', () => {
    const overnight = hours({ mon: [{ from: '22:00', to: '02:00' }] });

    it('is open before midnight and closes the next morning', () => {
      expect(openState(overnight, at('2026-01-05T21:59:00Z'), LONDON)).toEqual(closed('2026-01-05T22:00:00Z'));
      expect(openState(overnight, at('2026-01-05T23:30:00Z'), LONDON)).toEqual(open('2026-01-06T02:00:00Z'));
    });

    it('is open after midnight, on the next weekday, until its end', () => {
      expect(openState(overnight, at('2026-01-06T00:00:00Z'), LONDON)).toEqual(open('2026-01-06T02:00:00Z'));
      expect(openState(overnight, at('2026-01-06T01:59:00Z'), LONDON)).toEqual(open('2026-01-06T02:00:00Z'));
      expect(openState(overnight, at('2026-01-06T02:00:00Z'), LONDON)).toEqual(closed('2026-01-12T22:00:00Z'));
    });

    it('on Sunday runs into Monday, across the end of the week', () => {
      const sunday = hours({ sun: [{ from: '22:00', to: '02:00' }] });
      expect(openState(sunday, at('2026-01-05T01:00:00Z'), LONDON)).toEqual(open('2026-01-05T02:00:00Z'));
    });

    it('joined by a span from midnight, stays open without a break', () => {
      const joined = hours({ mon: [{ from: '22:00', to: '24:00' }], tue: [{ from: '00:00', to: '02:00' }] });
      expect(openState(joined, at('2026-01-05T23:00:00Z'), LONDON)).toEqual(open('2026-01-06T02:00:00Z'));
    });
  });

  describe('closed dates', () => {
    it('close the spans starting that day', () => {
      const holiday = { ...weekdays, closedDates: ['2026-01-05'] };
      expect(openState(holiday, at('2026-01-05T10:00:00Z'), LONDON)).toEqual(closed('2026-01-06T09:00:00Z'));
    });

    it('close the part of an overnight span after midnight when the span started on the closed date', () => {
      const overnight = hours({ mon: [{ from: '22:00', to: '02:00' }], closedDates: ['2026-01-05'] });
      expect(openState(overnight, at('2026-01-06T01:00:00Z'), LONDON)).toEqual(closed('2026-01-12T22:00:00Z'));
    });

    it('do not close an overnight span that started the day before', () => {
      const overnight = hours({ mon: [{ from: '22:00', to: '02:00' }], closedDates: ['2026-01-06'] });
      expect(openState(overnight, at('2026-01-06T01:00:00Z'), LONDON)).toEqual(open('2026-01-06T02:00:00Z'));
    });

    it('closing several weeks in a row, push the next opening past all of them', () => {
      const mondays = hours({ mon: [{ from: '09:00', to: '17:00' }], closedDates: ['2026-01-05', '2026-01-12', '2026-01-19'] });
      expect(openState(mondays, at('2026-01-04T12:00:00Z'), LONDON)).toEqual(closed('2026-01-26T09:00:00Z'));
    });
  });

  it('never opens when every day is closed', () => {
    expect(openState(hours({}), at('2026-01-05T10:00:00Z'), LONDON)).toEqual(closed(null));
  });

  it('never closes when open around the clock with no closed date ahead, and closes on the next closed date', () => {
    const day = [{ from: '00:00', to: '24:00' }];
    const always = hours({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day });
    expect(openState(always, at('2026-01-05T10:00:00Z'), LONDON)).toEqual(open(null));
    expect(openState({ ...always, closedDates: ['2026-01-08'] }, at('2026-01-05T10:00:00Z'), LONDON)).toEqual(open('2026-01-08T00:00:00Z'));
  });

  describe('summer time', () => {
    it('London spring forward (Sun 29 Mar, 01:00 GMT → 02:00 BST): a span from 01:30, which does not exist, opens at the first instant after it', () => {
      const night = hours({ sun: [{ from: '01:30', to: '03:00' }] });
      expect(openState(night, at('2026-03-29T00:59:00Z'), LONDON)).toEqual(closed('2026-03-29T01:00:00Z'));
      // 03:00 BST is 02:00 UTC.
      expect(openState(night, at('2026-03-29T01:00:00Z'), LONDON)).toEqual(open('2026-03-29T02:00:00Z'));
      expect(openState(night, at('2026-03-29T02:00:00Z'), LONDON)).toEqual(closed('2026-04-05T00:30:00Z'));
    });

    it('London fall back (Sun 25 Oct, 02:00 BST → 01:00 GMT): a repeated wall time means its first occurrence', () => {
      const night = hours({ sun: [{ from: '01:30', to: '03:00' }] });
      // The first 01:30 is BST (00:30 UTC); during the repeated hour (01:45 GMT) it stays open.
      expect(openState(night, at('2026-10-25T00:29:00Z'), LONDON)).toEqual(closed('2026-10-25T00:30:00Z'));
      expect(openState(night, at('2026-10-25T01:45:00Z'), LONDON)).toEqual(open('2026-10-25T03:00:00Z'));
    });

    it('London fall back: a span ending in the repeated hour ends at the first occurrence and does not reopen in the second', () => {
      const night = hours({ sun: [{ from: '00:00', to: '01:30' }] });
      expect(openState(night, at('2026-10-25T00:20:00Z'), LONDON)).toEqual(open('2026-10-25T00:30:00Z'));
      expect(openState(night, at('2026-10-25T01:15:00Z'), LONDON)).toEqual(closed('2026-11-01T00:00:00Z'));
    });

    it('New York spring forward (Sun 8 Mar, 02:00 EST → 03:00 EDT): a span from 02:00 opens when the clocks change', () => {
      const night = hours({ sun: [{ from: '02:00', to: '04:00' }] });
      expect(openState(night, at('2026-03-08T06:59:00Z'), NEW_YORK)).toEqual(closed('2026-03-08T07:00:00Z'));
      expect(openState(night, at('2026-03-08T07:00:00Z'), NEW_YORK)).toEqual(open('2026-03-08T08:00:00Z'));
    });
  });
});

describe('describeOpening', () => {
  it('says open now, when it next opens in the zone, or just closed', () => {
    expect(describeOpening(open('2026-01-05T17:00:00Z'), LONDON)).toBe('open now');
    expect(describeOpening(closed('2026-01-06T09:00:00Z'), LONDON)).toBe('closed — opens Tue 09:00');
    expect(describeOpening(closed('2026-01-06T14:00:00Z'), NEW_YORK)).toBe('closed — opens Tue 09:00');
    expect(describeOpening(closed(null), LONDON)).toBe('closed');
  });
});

describe('parseBusinessHours', () => {
  function errorsOf(raw: unknown): Record<string, string> {
    const parsed = parseBusinessHours(raw);
    if (parsed.ok) throw new Error('expected refusal');
    return parsed.errors;
  }

  it('accepts a valid schedule; missing weekdays are closed', () => {
    const parsed = parseBusinessHours({ mon: [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '17:30' }], fri: [{ from: '22:00', to: '02:00' }], closedDates: ['2026-12-25'] });
    expect(parsed).toEqual({
      ok: true,
      hours: { ...closedWeek, mon: [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '17:30' }], fri: [{ from: '22:00', to: '02:00' }], closedDates: ['2026-12-25'] },
    });
  });

  it('accepts a span to 24:00 and one overnight to 00:00', () => {
    expect(parseBusinessHours({ mon: [{ from: '00:00', to: '24:00' }], tue: [{ from: '18:00', to: '00:00' }] }).ok).toBe(true);
  });

  it('accepts spans that only meet: at 12:00, at midnight, and where an overnight span ends', () => {
    const meeting = { mon: [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '24:00' }], tue: [{ from: '00:00', to: '02:00' }], sat: [{ from: '22:00', to: '02:00' }], sun: [{ from: '02:00', to: '03:00' }] };
    expect(parseBusinessHours(meeting).ok).toBe(true);
  });

  it('refuses an unknown weekday, naming it', () => {
    expect(errorsOf({ frii: [] })).toEqual({ frii: expect.stringMatching(/unknown weekday/) });
  });

  it.each([
    ['9:00', 'to'],
    ['25:00', 'to'],
    ['12:60', 'to'],
    ['noon', 'to'],
    ['24:00', 'from'],
    ['24:01', 'to'],
  ])('refuses the time %s as the %s of a span, naming the field', (time, field) => {
    const span = { from: '09:00', to: '17:00', [field]: time };
    expect(errorsOf({ tue: [{ from: '06:00', to: '07:00' }, span] })).toEqual({ [`tue.1.${field}`]: expect.stringMatching(/HH:MM/) });
  });

  it('refuses an empty span (from equal to to)', () => {
    expect(errorsOf({ mon: [{ from: '09:00', to: '09:00' }] })).toEqual({ 'mon.0.to': expect.stringMatching(/differ/) });
  });

  it('refuses overlapping spans on the same day, naming the later one', () => {
    expect(errorsOf({ mon: [{ from: '09:00', to: '12:00' }, { from: '11:00', to: '13:00' }] })).toEqual({ 'mon.1.from': 'overlaps mon 09:00–12:00' });
    expect(errorsOf({ mon: [{ from: '11:00', to: '13:00' }, { from: '09:00', to: '12:00' }] })).toEqual({ 'mon.0.from': 'overlaps mon 09:00–12:00' });
  });

  it("refuses an overnight span overlapping the next day's first span, across the end of the week too", () => {
    expect(errorsOf({ mon: [{ from: '22:00', to: '02:00' }], tue: [{ from: '01:00', to: '05:00' }] })).toEqual({ 'tue.0.from': 'overlaps mon 22:00–02:00' });
    expect(errorsOf({ sun: [{ from: '22:00', to: '02:00' }], mon: [{ from: '00:00', to: '08:00' }] })).toEqual({ 'mon.0.from': 'overlaps sun 22:00–02:00' });
  });

  it('refuses a date in the wrong format or one that does not exist', () => {
    expect(errorsOf({ closedDates: ['2026-1-05', '2026-02-30', '25/12/2026', '2026-12-25', '2026-13-01', '2026-02-32', '2028-02-29'] })).toEqual({
      'closedDates.0': expect.stringMatching(/YYYY-MM-DD/),
      'closedDates.1': expect.stringMatching(/not a date/),
      'closedDates.2': expect.stringMatching(/YYYY-MM-DD/),
      'closedDates.4': expect.stringMatching(/not a date/),
      'closedDates.5': expect.stringMatching(/not a date/),
    });
  });

  it('returns every error at once, each under its field', () => {
    const errors = errorsOf({
      mon: [{ from: '09:00', to: '12:00' }, { from: '10:00', to: '11:00' }],
      tue: [{ from: '9', to: '17:00' }],
      someday: [],
      closedDates: ['tomorrow'],
    });
    expect(Object.keys(errors).sort()).toEqual(['closedDates.0', 'mon.1.from', 'someday', 'tue.0.from']);
  });

  it('refuses input that is not a schedule at all', () => {
    expect(Object.keys(errorsOf('open'))).toEqual(['']);
    expect(Object.keys(errorsOf({ mon: 'all day' }))).toEqual(['mon']);
  });
});
