import { decideAutoReply, type AutoReplyCase } from '../../../src/auto-reply/decide';
import { DEFAULT_AUTO_REPLIES, type AutoReplySettings } from '../../../src/auto-reply/auto-reply-settings';
import { createHelpMatcher } from '../../../src/consent/keywords';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-03-02T10:00:00Z');
const allOn: AutoReplySettings = {
  greeting: { ...DEFAULT_AUTO_REPLIES.greeting, enabled: true },
  away: { ...DEFAULT_AUTO_REPLIES.away, enabled: true },
  help: { ...DEFAULT_AUTO_REPLIES.help, enabled: true },
};

function base(over: Partial<AutoReplyCase> = {}): AutoReplyCase {
  return {
    text: 'hello, is the shop open?',
    at: now,
    burstSince: now,
    now,
    created: false,
    previousInboundAt: new Date(now.getTime() - HOUR),
    consentStatus: 'unknown',
    open: true,
    settings: allOn,
    greetingAfterMs: 14 * DAY,
    isConsentKeyword: (t) => ['stop', 'yes', 'start'].includes(t.trim().toLowerCase()),
    isHelpKeyword: createHelpMatcher(),
    ...over,
  };
}

describe('decideAutoReply', () => {
  it('answers nothing to an ordinary message in an ongoing conversation while open', () => {
    expect(decideAutoReply(base())).toBeNull();
  });

  it('greets a first message ever, and a first one after the silence, not one a day earlier', () => {
    expect(decideAutoReply(base({ created: true, previousInboundAt: undefined }))).toBe('greeting');
    expect(decideAutoReply(base({ previousInboundAt: new Date(now.getTime() - 14 * DAY) }))).toBe('greeting');
    expect(decideAutoReply(base({ previousInboundAt: new Date(now.getTime() - 14 * DAY + 1) }))).toBeNull();
  });

  it('judges the silence from the first message of a burst', () => {
    const burstSince = new Date(now.getTime() - 60_000);
    expect(decideAutoReply(base({ burstSince, previousInboundAt: new Date(burstSince.getTime() - 14 * DAY) }))).toBe('greeting');
  });

  it('does not take a contact it knows nothing about (stored before this version) for a new one', () => {
    expect(decideAutoReply(base({ created: false, previousInboundAt: undefined }))).toBeNull();
  });

  it('sends away while closed, before a greeting', () => {
    expect(decideAutoReply(base({ open: false }))).toBe('away');
    expect(decideAutoReply(base({ open: false, created: true, previousInboundAt: undefined }))).toBe('away');
  });

  it('without business hours set, never sends away', () => {
    expect(decideAutoReply(base({ open: null }))).toBeNull();
  });

  it('answers HELP and INFO, whole message only, in other languages too, open or closed', () => {
    for (const text of ['HELP', 'help!', ' Info ', 'Ayuda', 'HILFE', 'aide.']) expect(decideAutoReply(base({ text, open: false }))).toBe('help');
    expect(decideAutoReply(base({ text: 'I need help with my order' }))).toBeNull();
  });

  it('never answers an opt-out, opt-in or YES keyword, not even with away or greeting', () => {
    for (const text of ['STOP', 'yes', 'START']) {
      expect(decideAutoReply(base({ text, open: false, created: true, previousInboundAt: undefined }))).toBeNull();
    }
  });

  it('sends nothing to an opted-out contact', () => {
    expect(decideAutoReply(base({ consentStatus: 'opted_out', text: 'HELP' }))).toBeNull();
    expect(decideAutoReply(base({ consentStatus: 'opted_out', open: false }))).toBeNull();
  });

  it('respects each switch: off means that reply is never sent', () => {
    const off = (kind: keyof AutoReplySettings) => ({ ...allOn, [kind]: { ...allOn[kind], enabled: false } });
    expect(decideAutoReply(base({ settings: off('away'), open: false }))).toBeNull();
    expect(decideAutoReply(base({ settings: off('greeting'), created: true, previousInboundAt: undefined }))).toBeNull();
    // HELP switched off: the message is an ordinary one (closed: the away message).
    expect(decideAutoReply(base({ settings: off('help'), text: 'HELP', open: false }))).toBe('away');
  });

  it('does not answer a message brought in late (a catch-up after downtime)', () => {
    expect(decideAutoReply(base({ open: false, at: new Date(now.getTime() - HOUR - 1) }))).toBeNull();
    expect(decideAutoReply(base({ open: false, at: new Date(now.getTime() - HOUR) }))).toBe('away');
  });

  it('answers media and other messages without text with greeting or away, never HELP', () => {
    expect(decideAutoReply(base({ text: undefined, open: false }))).toBe('away');
    expect(decideAutoReply(base({ text: undefined, created: true, previousInboundAt: undefined }))).toBe('greeting');
  });
});
