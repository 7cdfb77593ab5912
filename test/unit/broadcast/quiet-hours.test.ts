import { contactZone, quietUntil } from '../../../src/broadcast/quiet-hours';

const QUIET = { from: '21:00', to: '08:00' };

describe('quiet hours in the contact\'s local time', () => {
  it("tells the zone from the number's country when the country keeps one time", () => {
    const at = new Date('2026-07-01T12:00:00Z');
    expect(contactZone('447911123456@c.us', at, 'UTC')).toBe('Europe/London');
    expect(contactZone('919812345678@c.us', at, 'UTC')).toBe('Asia/Kolkata');
    // Germany lists two zones (Berlin and Büsingen's Zurich) that keep the same time.
    expect(['Europe/Berlin', 'Europe/Zurich']).toContain(contactZone('4915112345678@c.us', at, 'UTC'));
  });

  it('falls back to the team zone for a country with several times, an @lid id or an unknown number', () => {
    const at = new Date('2026-07-01T12:00:00Z');
    expect(contactZone('12125550123@c.us', at, 'Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(contactZone('5511912345678@c.us', at, 'Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(contactZone('123456789012345@lid', at, 'Europe/Lisbon')).toBe('Europe/Lisbon');
  });

  it('holds a send from 21:00 until 08:00 local, across midnight, and lets it go at 08:00 sharp', () => {
    // 22:30 in London (BST, UTC+1) is 21:30 UTC: quiet until 08:00 BST = 07:00 UTC.
    expect(quietUntil(QUIET, new Date('2026-07-01T21:30:00Z'), 'Europe/London')).toEqual(new Date('2026-07-02T07:00:00Z'));
    expect(quietUntil(QUIET, new Date('2026-07-02T06:59:59Z'), 'Europe/London')).toEqual(new Date('2026-07-02T07:00:00Z'));
    expect(quietUntil(QUIET, new Date('2026-07-02T07:00:00Z'), 'Europe/London')).toBeNull();
    expect(quietUntil(QUIET, new Date('2026-07-01T19:59:59Z'), 'Europe/London')).toBeNull();
    expect(quietUntil(QUIET, new Date('2026-07-01T20:00:00Z'), 'Europe/London')).toEqual(new Date('2026-07-02T07:00:00Z'));
  });

  it('handles quiet hours inside one day too', () => {
    expect(quietUntil({ from: '12:00', to: '14:00' }, new Date('2026-07-01T13:15:00Z'), 'UTC')).toEqual(new Date('2026-07-01T14:00:00Z'));
    expect(quietUntil({ from: '12:00', to: '14:00' }, new Date('2026-07-01T14:00:00Z'), 'UTC')).toBeNull();
  });
});
