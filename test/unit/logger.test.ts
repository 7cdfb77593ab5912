import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('when a line carries tokens, secrets or phone numbers, then they are redacted', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', pretty: false }, stream);
    logger.info(
      { token: 'xoxb-1', slack: { token: 'xoxb-2', signingSecret: 's' }, contact: { phone: '+447911123456', e164: '+447911123456' }, waId: 'kept@c.us' },
      'hello',
    );
    const [line] = lines();
    expect(line).toMatchObject({
      token: '[redacted]',
      slack: { token: '[redacted]', signingSecret: '[redacted]' },
      contact: { phone: '[redacted]', e164: '[redacted]' },
      msg: 'hello',
    });
    expect(JSON.stringify(line)).not.toMatch(/xoxb-|\+447911123456/);
  });

  it('when the level is warn, then info lines are dropped', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'warn', pretty: false }, stream);
    logger.info('quiet');
    logger.warn('loud');
    expect(lines().map((l) => l.msg)).toEqual(['loud']);
  });
});
