import { escapeMrkdwn, mrkdwnToPlain } from '../../../src/slack/mrkdwn';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel> look', '&lt;!channel&gt; look'],
    ['hi <@U123>', 'hi &lt;@U123&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['Tom & Jerry &amp;', 'Tom &amp; Jerry &amp;amp;'],
  ])('when a contact writes %j, then it arrives inert as %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('when text has nothing special, then it is unchanged (emoji and right-to-left included)', () => {
    expect(escapeMrkdwn('Olá! 👋 مرحبا *bold* _it_')).toBe('Olá! 👋 مرحبا *bold* _it_');
  });
});

describe('mrkdwnToPlain', () => {
  it('when one of our messages goes where Slack shows plain text, then code quotes become quotes and escapes become the characters typed', () => {
    const message = `No contact's name starts with \`${escapeMrkdwn('Tom & <Jerry> &amp;')}\`.`;
    expect(mrkdwnToPlain(message)).toBe("No contact's name starts with “Tom & <Jerry> &amp;”.");
  });
});
