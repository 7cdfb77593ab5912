import { EventEmitter } from 'node:events';
import { causeOf, watchSocket } from '../../../src/slack/socket-link';

/** The Socket Mode client's lifecycle events, fired by hand. */
function setup() {
  const client = new EventEmitter();
  let now = new Date('2026-12-01T10:00:00Z');
  const status = watchSocket(client, () => now);
  return { client, status, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) };
}

describe('watchSocket', () => {
  it('when the client has not connected yet, then it is connecting', () => {
    expect(setup().status()).toEqual({ state: 'connecting', since: new Date('2026-12-01T10:00:00Z') });
  });

  it('when the socket errors and closes, then it is disconnected with the error as the reason, kept while reconnecting, cleared once connected', () => {
    const s = setup();
    s.client.emit('connected');
    expect(s.status().state).toBe('connected');
    s.advance(1000);
    s.client.emit('error', new Error('WebSocket error', { cause: new Error('read ECONNRESET') }));
    s.client.emit('close');
    expect(s.status()).toEqual({ state: 'disconnected', since: new Date('2026-12-01T10:00:01Z'), reason: 'socket closed: read ECONNRESET' });
    s.client.emit('reconnecting');
    expect(s.status()).toMatchObject({ state: 'connecting', reason: 'socket closed: read ECONNRESET' });
    s.client.emit('connected');
    expect(s.status()).not.toHaveProperty('reason');
    s.client.emit('close');
    expect(s.status()).toMatchObject({ state: 'disconnected', reason: 'socket closed' });
  });

  it('when a request error wraps a cause (the WebClient puts it in `original`), then the innermost message is given', () => {
    expect(causeOf({ original: new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }) })).toBe('connect ECONNREFUSED 127.0.0.1:9');
    expect(causeOf('plain')).toBe('plain');
  });
});
