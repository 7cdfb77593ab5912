import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logger';
import { boltLogger } from '../../../src/slack/bolt-logger';
import { testPrivacy } from '../../support/privacy';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug', pretty: false, pseudonym: testPrivacy().pseudonym }, stream);
  return { bolt: boltLogger(logger), text: () => chunks.join(''), lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('boltLogger', () => {
  it('when Bolt, its WebClient or Socket Mode quote a payload, then the line says what happened without the payload', () => {
    const { bolt, lines, text } = capture();
    const card = JSON.stringify({ channel: 'C0INBOX01', text: '*Ana Lima* · +447911123456' });
    bolt.debug(`http request body: ${card}`);
    bolt.debug(`Received a message on the WebSocket: ${card}`);
    bolt.debug('ack() response sent (body: Sent to Ana Lima)');
    bolt.debug("apiCall('chat.postMessage') start");
    bolt.info('a payload as an object', { user: { real_name: 'Ana Lima' } });
    expect(lines().map((l) => l.msg)).toEqual([
      'http request body: [payload omitted]',
      'Received a message on the WebSocket: [payload omitted]',
      'ack() response sent (body: [payload omitted])',
      "apiCall('chat.postMessage') start",
      'a payload as an object [payload omitted]',
    ]);
    expect(text()).not.toMatch(/Ana|447911123456/);
  });

  it('when Bolt passes an error, then it is logged as `err`, with its type and message', () => {
    const { bolt, lines } = capture();
    bolt.error('Slack API error: channel_not_found', new Error('An API error occurred: channel_not_found'));
    expect(lines()[0]).toMatchObject({ component: 'bolt', msg: 'Slack API error: channel_not_found', err: { type: 'Error', message: 'An API error occurred: channel_not_found' } });
  });

  it('when Bolt names its logger, then the name is kept under `logger` (a `name` field is a person’s, blanked out)', () => {
    const { bolt, lines } = capture();
    bolt.setName('web-api:WebClient:0');
    bolt.warn('hello');
    expect(lines()[0]).toMatchObject({ logger: 'web-api:WebClient:0', msg: 'hello' });
  });
});
