import type { CustomRoute } from '@slack/bolt';
import { publicReadiness, type Health } from '../health';

const JSON_TYPE = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/**
 * `/healthz` (the process answers) and `/readyz` (the store answers; WhatsApp state reported).
 * `/readyz` tells anyone ready or not in one word per part; the full report (store error, gateway
 * detail, memory) needs `Authorization: Bearer <HEALTH_TOKEN>`. A wrong or unusable bearer is
 * refused rather than answered with the public body, so a misconfigured monitor notices.
 */
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
      handler: (req, res) => {
        const authorization = req.headers.authorization;
        const details = authorization !== undefined;
        if (details) {
          const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
          if (token === undefined || !health.allowsDetails(token)) {
            res.writeHead(401, { ...JSON_TYPE, 'www-authenticate': 'Bearer' });
            res.end(JSON.stringify({ error: 'unauthorized' }));
            return;
          }
        }
        void health.readiness().then(
          (report) => {
            res.writeHead(report.ready ? 200 : 503, JSON_TYPE);
            res.end(JSON.stringify(details ? report : publicReadiness(report)));
          },
          () => {
            res.writeHead(503, JSON_TYPE);
            res.end(JSON.stringify({ ready: false }));
          },
        );
      },
    },
  ];
}
