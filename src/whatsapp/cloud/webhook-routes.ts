import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { CloudWebhookRepository } from '../../store/repositories/cloud-webhook-repository';
import type { WhatsAppGateway } from '../gateway';
import type { HttpRoute } from '../simulator/simulator-routes';
import { cloudBehind } from './cloud-registry';
import { WebhookInbox } from './webhook-inbox';
import { verifyWebhookSignature } from './webhook-signature';

/**
 * Meta's webhook bodies are said to reach about 3 MB (Cloud API notes §1, secondary); larger is
 * refused with 413 before anything is checked or stored.
 */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

export interface CloudWebhookRouteDeps {
  webhooks: CloudWebhookRepository;
  clock: Clock;
  logger: Logger;
  /** Resolves once every message heard so far is stored by the bridge (see WebhookInboxDeps.recorded). */
  recorded?: () => Promise<void>;
  /** See WebhookInboxDeps.maxWaiting. */
  maxWaiting?: number;
}

/** The webhook routes when the app's gateway is the Cloud API's; none otherwise. */
export function cloudWebhookRoutesFor(gateway: WhatsAppGateway, deps: CloudWebhookRouteDeps): HttpRoute[] {
  const cloud = cloudBehind(gateway);
  if (!cloud) return [];
  const log = deps.logger.child({ component: 'whatsapp-webhook' });
  const inbox = new WebhookInbox({
    store: deps.webhooks,
    gateway: cloud,
    clock: deps.clock,
    logger: log,
    ...(deps.recorded ? { recorded: deps.recorded } : {}),
    ...(deps.maxWaiting !== undefined ? { maxWaiting: deps.maxWaiting } : {}),
  });
  cloud.onStarted(async () => {
    const count = await inbox.drain();
    if (count > 0) log.info({ count }, 'stored webhooks processed at start');
  });
  const { appSecret, verifyToken } = cloud.config;
  return [
    {
      // The handshake Meta makes when the callback URL or verify token is set in the App Dashboard.
      path: '/whatsapp/webhook',
      method: ['GET'],
      handler: (req, res) => {
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const challenge = query.get('hub.challenge') ?? '';
        if (query.get('hub.mode') !== 'subscribe' || !sameText(query.get('hub.verify_token') ?? '', verifyToken)) {
          log.warn('webhook handshake refused: wrong or missing verify token (WHATSAPP_CLOUD_VERIFY_TOKEN)');
          return answer(res, 403, 'forbidden');
        }
        answer(res, 200, challenge);
      },
    },
    {
      path: '/whatsapp/webhook',
      method: ['POST'],
      handler: (req, res) => {
        void receive(req, res).catch((err: unknown) => {
          log.error({ err }, 'could not store a webhook; Meta will deliver it again');
          answer(res, 500, 'not stored');
        });
      },
    },
  ];

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRaw(req);
    if (raw === 'too_large') return answer(res, 413, 'too large');
    // Over the bytes as received; nothing is stored or processed without Meta's signature.
    if (!verifyWebhookSignature(raw, req.headers['x-hub-signature-256'], appSecret)) {
      log.warn('webhook refused: missing or wrong X-Hub-Signature-256 (check WHATSAPP_CLOUD_APP_SECRET)');
      return answer(res, 401, 'bad signature');
    }
    if (inbox.full()) {
      log.warn('webhook refused with 503: too many webhooks wait for processing; Meta delivers it again later');
      return answer(res, 503, 'busy');
    }
    const { id, fresh } = await inbox.store(raw);
    answer(res, 200, 'ok');
    // A byte-identical redelivery was stored (and is processed) once.
    if (fresh) inbox.process(id, raw.toString('utf8'));
    else void inbox.redelivered(id).catch((err: unknown) => log.warn({ err, webhook: id }, 'could not look up a redelivered webhook; the next start processes it if it waits'));
  }
}

/** Constant-time, whatever the lengths. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(text);
}

function readRaw(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_WEBHOOK_BYTES) chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => resolve(size > MAX_WEBHOOK_BYTES ? 'too_large' : Buffer.concat(chunks)));
  });
}
