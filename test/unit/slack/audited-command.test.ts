import { createPrivacy } from '../../../src/privacy/privacy';
import { auditedCommand } from '../../../src/slack/listeners/commands/wa-command';
import type { Subcommand } from '../../../src/slack/listeners/commands/subcommand';

const privacy = createPrivacy({ key: 'unit-test-key-0123456789abcdef0123456789', previousKeys: [], ephemeral: false });
const sub = (name: string): Subcommand => ({ name, usage: '', summary: '', run: async () => {} });
const subcommands = new Map(['forget', 'label', 'optout'].map((name) => [name, sub(name)]));
const audited = (text: string, withVerb = false) => auditedCommand(text, subcommands, privacy, 'GB', withVerb);
const ANA = privacy.pseudonym('447911123456@c.us');

describe('what the audit keeps of a refused /wa command', () => {
  it('when the command names a number in any format, then it keeps the pseudonym of its WhatsApp id, never the digits', () => {
    for (const typed of ['+44 7911 123456', '07911 123456', '(07911) 123-456', '+447911123456', '447911123456@c.us', '447911123456@s.whatsapp.net']) {
      expect([typed, audited(`forget ${typed}`)]).toEqual([typed, { subcommand: 'forget', contact: ANA }]);
    }
    expect(audited('optout 07911 123456 she rang on 2024-01-02')).toEqual({ subcommand: 'optout', contact: ANA });
    expect(audited('forget 98765432109876@lid')).toEqual({ subcommand: 'forget', contact: privacy.pseudonym('98765432109876@lid') });
  });

  it('when nothing typed reads as a number, then only the subcommand is kept; a verb only when asked for', () => {
    expect(audited('forget +44 79')).toEqual({ subcommand: 'forget' });
    expect(audited('label create vip', true)).toEqual({ subcommand: 'label create' });
    expect(audited('label create vip')).toEqual({ subcommand: 'label' });
    expect(audited('   ')).toEqual({});
  });

  it('when the first word is no subcommand, then nothing is kept: it may be anything, a number too', () => {
    expect(audited('+447911123456 hello')).toEqual({});
    expect(audited('Forget 07911123456')).toEqual({ subcommand: 'forget', contact: ANA });
  });

  it('when the text is long and full of digits, then reading it stays cheap', () => {
    const started = performance.now();
    audited(`forget ${'12 '.repeat(2000)}`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
