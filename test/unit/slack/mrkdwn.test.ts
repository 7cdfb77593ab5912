import { escapeMrkdwn } from '../../../src/slack/mrkdwn';

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
