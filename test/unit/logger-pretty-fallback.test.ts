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

describe('createLogger with pretty printing asked for', () => {
  it('when pino-pretty (a dev dependency) is not installed, then it logs JSON and says why once', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', pretty: true, prettyAvailable: () => false }, stream);
    logger.info('hello');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/pino-pretty is not installed.*JSON/) }),
      expect.objectContaining({ level: 30, msg: 'hello' }),
    ]);
  });
});
