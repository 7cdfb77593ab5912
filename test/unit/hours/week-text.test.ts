import { closedDatesText, parseClosedDatesText, parseDayText, spansText } from '../../../src/hours/week-text';

describe('week text: one weekday of the hours modal, as typed', () => {
  it.each([
    ['09:00-17:00, 18:00-20:00', [{ from: '09:00', to: '17:00' }, { from: '18:00', to: '20:00' }]],
    ['9:00-17:00', [{ from: '09:00', to: '17:00' }]],
    ['22:00-02:00', [{ from: '22:00', to: '02:00' }]],
    ['  08:30 – 12:00 ;13:00—24:00 ', [{ from: '08:30', to: '12:00' }, { from: '13:00', to: '24:00' }]],
    ['closed', []],
    ['Closed', []],
    ['', []],
    ['   ', []],
  ])('when %j is typed, then it reads as those spans', (typed, spans) => {
    expect(parseDayText(typed)).toEqual({ ok: true, spans });
  });

  it.each(['9am-5pm', 'open', '09:00', '09:00-17:00,,x', '0900-1700', '09:00-17:00 closed', '123:00-17:00'])('when %j is typed, then it is an error that says how to write it', (typed) => {
    const read = parseDayText(typed);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(/09:00-17:00.*closed/);
  });

  it('when a time is out of range, then the shape is accepted here and left to the schedule rules (which say which time is wrong)', () => {
    expect(parseDayText('25:00-26:00')).toEqual({ ok: true, spans: [{ from: '25:00', to: '26:00' }] });
  });

  it('when spans are shown back, then they read as typed, closed for none, and parse again to the same', () => {
    const spans = [{ from: '09:00', to: '17:00' }, { from: '18:00', to: '20:00' }];
    expect(spansText(spans)).toBe('09:00-17:00, 18:00-20:00');
    expect(spansText([])).toBe('closed');
    expect(parseDayText(spansText(spans))).toEqual({ ok: true, spans });
  });

  it('when closed dates are typed one a line or comma separated, then each is one entry, blanks dropped', () => {
    expect(parseClosedDatesText('2026-12-25\n2026-12-26, 2027-01-01\n\n')).toEqual(['2026-12-25', '2026-12-26', '2027-01-01']);
    expect(parseClosedDatesText('')).toEqual([]);
    expect(parseClosedDatesText('25/12/2026')).toEqual(['25/12/2026']);
    expect(closedDatesText(['2026-12-25', '2027-01-01'])).toBe('2026-12-25\n2027-01-01');
  });
});
