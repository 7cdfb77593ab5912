import type { CustomRoute } from '@slack/bolt';
import type { Health } from '../health';

/** `/healthz` (the process answers) and `/readyz` (the store answers; WhatsApp state reported). */
export function healthRoutes(health: Health): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void health.readiness().then((report) => {
          res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(report));
        });
      },
    },
  ];
}
