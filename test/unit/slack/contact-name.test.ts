import { contactDisplayName, contactPlainName } from '../../../src/slack/blocks/contact-card';
import { escapeMrkdwnWithin } from '../../../src/slack/mrkdwn';

const named = (name: string | undefined, e164: string | undefined = '+447700900001') => ({ name, e164, waId: '447700900001@c.us' });
/** Slack's three escapes decoded once: what a person reads. */
const read = (mrkdwn: string) => mrkdwn.replace(/&(amp|lt|gt);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);

describe('contact names in Slack', () => {
  it.each(['<https://evil.example|Click>', '<!channel>', '<!here>', '<@U0AGENT1>', '&lt;!channel&gt; &amp;', '*bold* _it_ ~s~'])(
    'when a contact calls themselves %j, then the mrkdwn name has no markup of its own and reads as typed; the plain name is as typed',
    (name) => {
      const shown = contactDisplayName(named(name));
      expect(shown).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      expect(read(shown)).toBe(name);
      expect(contactPlainName(named(name))).toBe(name);
    },
  );

  it('when a contact has no name, then the number stands for it, else the WhatsApp id without its server', () => {
    expect(contactDisplayName(named(undefined))).toBe('+447700900001');
    expect(contactPlainName({ waId: '12345@lid' })).toBe('12345');
  });

  it('when a name is very long, then the mrkdwn name is at most 120 characters, cut between characters (never inside an escape), and says it was cut', () => {
    const name = `${'<!here>&'.repeat(100)}end`;
    const shown = contactDisplayName(named(name));
    expect(shown.length).toBeLessThanOrEqual(120);
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.slice(0, -1)).not.toMatch(/&(?!amp;|lt;|gt;)|[<>]/);
    expect(name.startsWith(read(shown.slice(0, -1)))).toBe(true);
    expect(contactPlainName(named(name))).toBe(name);
    expect(contactPlainName(named(name), 80)).toHaveLength(80);
  });

  it('when a plain name is cut, then an emoji is never split in half', () => {
    expect(contactPlainName(named('ab😀😀'), 4)).toBe('ab…');
    expect(escapeMrkdwnWithin('😀😀😀', 5)).toBe('😀😀…');
  });
});
