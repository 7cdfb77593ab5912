import { createServer, type Server } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { createHealth } from '../../../src/health';
import { healthRoutes } from '../../../src/slack/health-routes';

const TOKEN = 'health-token-0123456789abcdef';
const MB = 1024 * 1024;
type RouteRequest = Parameters<CustomRoute['handler']>[0];

/** The routes on a plain HTTP server, over a health whose /proc walker counts its calls. */
async function serve(options: { detailsToken?: string; storeError?: Error } = {}) {
  const walks: number[] = [];
  const health = createHealth({
    pingStore: async () => {
      if (options.storeError) throw options.storeError;
    },
    gateway: { status: () => ({ state: 'connected', since: new Date(0), detail: 'logged in as +44 7911 123456' }), browserPid: () => 4242 },
    clock: () => new Date('2025-03-01T10:00:00Z'),
    sampleEveryMs: 15_000,
    treeRss: async (pid) => {
      walks.push(pid);
      return 300 * MB;
    },
    appRss: () => 120 * MB,
    every: () => () => {},
    detailsToken: options.detailsToken,
  });
  await health.sampleMemory();
  const routes = healthRoutes(health);
  const server: Server = createServer((req, res) => {
    const route = routes.find((r) => r.path === req.url);
    if (!route) return void res.writeHead(404).end();
    void route.handler(req as RouteRequest, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    walks,
    get: (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers }),
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('the health routes', () => {
  it('when /readyz is asked without a token, then the body is one word per part, with no memory, error or detail', async () => {
    const s = await serve({ detailsToken: TOKEN });
    try {
      const res = await s.get('/readyz');
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ ready: true, store: 'ok', whatsapp: 'connected' });
      expect(text).not.toMatch(/Rss|Mb|7911|detail|since/i);
    } finally {
      await s.close();
    }
  });

  it('when the store is down, then /readyz is 503 and says "down" without the error', async () => {
    const s = await serve({ storeError: new Error('auth failed for mongodb://admin:s3cret@db.internal') });
    try {
      const res = await s.get('/readyz');
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ ready: false, store: 'down', whatsapp: 'connected' });
      expect(text).not.toContain('s3cret');
    } finally {
      await s.close();
    }
  });

  it('when the right bearer token is sent, then the full report is served, not cached', async () => {
    const s = await serve({ detailsToken: TOKEN });
    try {
      const res = await s.get('/readyz', { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({
        ready: true,
        store: { ok: true },
        whatsapp: { state: 'connected', detail: 'logged in as +44 7911 123456', browserRssMb: 300 },
        appRssMb: 120,
        memorySampledAt: '2025-03-01T10:00:00.000Z',
      });
    } finally {
      await s.close();
    }
  });

  it('when the store is down and the right token is sent, then the 503 carries the store error', async () => {
    const s = await serve({ detailsToken: TOKEN, storeError: new Error('connection refused') });
    try {
      const res = await s.get('/readyz', { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, store: { ok: false, error: 'connection refused' } });
    } finally {
      await s.close();
    }
  });

  it.each([
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a truncated token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
    ['an empty bearer', 'Bearer '],
  ])('when %s is sent, then /readyz answers 401 with no report', async (_what, authorization) => {
    const s = await serve({ detailsToken: TOKEN });
    try {
      const res = await s.get('/readyz', { authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const text = await res.text();
      expect(text).not.toMatch(/ready|store|whatsapp|Rss/i);
    } finally {
      await s.close();
    }
  });

  it('when no token is configured, then no bearer unlocks the details', async () => {
    const s = await serve({});
    try {
      const res = await s.get('/readyz', { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/Rss|detail/);
    } finally {
      await s.close();
    }
  });

  it('when /readyz is answered many times, with and without the token, then the /proc walker is not called', async () => {
    const s = await serve({ detailsToken: TOKEN });
    try {
      const before = s.walks.length;
      for (let i = 0; i < 5; i++) {
        await (await s.get('/readyz')).text();
        await (await s.get('/readyz', { authorization: `Bearer ${TOKEN}` })).text();
      }
      expect(s.walks).toHaveLength(before);
    } finally {
      await s.close();
    }
  });

  it('when /healthz is asked, then it answers ok whatever the token', async () => {
    const s = await serve({ detailsToken: TOKEN });
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
        const res = await s.get('/healthz', headers);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ ok: true });
      }
    } finally {
      await s.close();
    }
  });
});
