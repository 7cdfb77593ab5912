import { replyWindow, windowRefusal } from '../../../src/bridge/outbound/reply-window';
import { contactCard, windowLine } from '../../../src/slack/blocks/contact-card';
import type { Contact } from '../../../src/domain/contact';

const lastInboundAt = new Date('2026-12-03T14:32:00Z');
const ana = (over: Partial<Contact> = {}): Contact => ({ id: 'c1', waId: '447911123456@c.us', name: 'Ana', labels: [], consent: { status: 'unknown' }, activity: { status: 'active' }, createdAt: new Date(0), updatedAt: new Date(0), ...over });
const at = (h: number, m = 0, s = 0, ms = 0) => new Date(lastInboundAt.getTime() + ((h * 60 + m) * 60 + s) * 1000 + ms);

describe('the 24-hour customer service window', () => {
  it('is open at 23:59:59.999 after the customer last wrote and closed from 24:00:00 on', () => {
    expect(replyWindow({ lastInboundAt }, at(23, 59, 59)).open).toBe(true);
    expect(replyWindow({ lastInboundAt }, at(23, 59, 59, 999)).open).toBe(true);
    expect(replyWindow({ lastInboundAt }, at(24)).open).toBe(false);
    expect(replyWindow({ lastInboundAt }, at(24, 0, 1)).open).toBe(false);
    expect(replyWindow({ lastInboundAt }, at(0))).toEqual({ open: true, until: at(24) });
  });

  it('is closed for a contact who never wrote', () => {
    expect(replyWindow({}, at(0)).open).toBe(false);
  });

  it('refuses free text only on the Cloud API', () => {
    expect(windowRefusal('cloud', { lastInboundAt }, at(24))).toMatch(/template/);
    expect(windowRefusal('cloud', { lastInboundAt }, at(23, 59, 59))).toBeUndefined();
    expect(windowRefusal('wwebjs', { lastInboundAt }, at(48))).toBeUndefined();
  });
});

describe('the contact card on the Cloud API', () => {
  const card = (now: Date | undefined, timeZone = 'Europe/London') => JSON.stringify(contactCard(ana({ lastInboundAt }), '//', 'two-way', now ? { now, timeZone } : undefined).blocks);

  it('shows until when the window is open, in the team time zone, and offers a template', () => {
    expect(card(at(1))).toContain('reply window open until Fri 14:32');
    expect(windowLine({ lastInboundAt }, { now: at(23, 59, 59), timeZone: 'Europe/London' })).toBe(':hourglass_flowing_sand: reply window open until 14:32');
    expect(windowLine({ lastInboundAt }, { now: at(1), timeZone: 'Asia/Kolkata' })).toBe(':hourglass_flowing_sand: reply window open until Fri 20:02');
    expect(card(at(1))).toContain('template_open');
  });

  it('says closed — templates only from 24:00:00 on', () => {
    expect(windowLine({ lastInboundAt }, { now: at(24), timeZone: 'UTC' })).toBe(':lock: reply window closed — templates only');
  });

  it('shows no window and no template button off the Cloud API', () => {
    expect(card(undefined)).not.toContain('reply window');
    expect(card(undefined)).not.toContain('template_open');
  });
});
