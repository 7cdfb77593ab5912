import { createHealth, publicReadiness } from '../../src/health';
import type { SlackLinkStatus } from '../../src/slack/socket-link';

/** Readiness in Socket Mode: the socket is part of it; in HTTP mode there is no socket to report. */
function healthWith(slack: (() => SlackLinkStatus) | undefined, storeUp = true) {
  return createHealth({
    pingStore: async () => {
      if (!storeUp) throw new Error('connection refused');
    },
    gateway: { status: () => ({ state: 'connected', since: new Date(0) }), browserPid: () => undefined },
    clock: () => new Date('2026-12-01T10:00:00Z'),
    sampleEveryMs: 15_000,
    appRss: () => 0,
    every: () => () => {},
    ...(slack ? { slack } : {}),
  });
}

const since = new Date('2026-12-01T09:59:00Z');

describe('health with a Slack socket', () => {
  it('when the socket is connected and the store answers, then ready, and the public body says slack: connected', async () => {
    const report = await healthWith(() => ({ state: 'connected', since })).readiness();
    expect(report.ready).toBe(true);
    expect(publicReadiness(report)).toEqual({ ready: true, store: 'ok', whatsapp: 'connected', slack: 'connected' });
  });

  it('when the socket is down, then not ready: the public body names it in one word, the report carries the reason', async () => {
    const report = await healthWith(() => ({ state: 'disconnected', since, reason: 'socket closed: connect ECONNREFUSED' })).readiness();
    expect(report.ready).toBe(false);
    expect(report.slack).toEqual({ state: 'disconnected', since, reason: 'socket closed: connect ECONNREFUSED' });
    expect(publicReadiness(report)).toEqual({ ready: false, store: 'ok', whatsapp: 'connected', slack: 'disconnected' });
    expect(JSON.stringify(publicReadiness(report))).not.toContain('ECONNREFUSED');
  });

  it('when the socket is still connecting, then not ready', async () => {
    expect((await healthWith(() => ({ state: 'connecting', since })).readiness()).ready).toBe(false);
  });

  it('when the store is down with the socket up, then not ready for the store', async () => {
    const report = await healthWith(() => ({ state: 'connected', since }), false).readiness();
    expect(publicReadiness(report)).toEqual({ ready: false, store: 'down', whatsapp: 'connected', slack: 'connected' });
  });

  it('when there is no socket (HTTP mode), then readiness is the store alone and no slack field appears', async () => {
    const report = await healthWith(undefined).readiness();
    expect(report.ready).toBe(true);
    expect(report).not.toHaveProperty('slack');
    expect(publicReadiness(report)).toEqual({ ready: true, store: 'ok', whatsapp: 'connected' });
  });
});
