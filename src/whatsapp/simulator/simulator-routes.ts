import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import { GatewaySendError, type WhatsAppGateway } from '../gateway';
import { contactInput, MAX_BODY_BYTES, messageInput, parseNumber, phoneMessageInput, reactionInput, reasonOf, receiptsInput } from './simulator-api';
import type { SimulatorGateway } from './simulator-gateway';
import { SIMULATOR_PAGE } from './simulator-page';
import { simulatorBehind } from './simulator-registry';

/** Shaped like Bolt's CustomRoute (which only slack/ imports), so the Slack app can serve it. */
export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface SimulatorRouteOptions {
  /** SIMULATOR_PUBLIC=true: anyone who reaches the port may play customers. */
  public: boolean;
  /** For numbers typed without a country code. */
  defaultCountry?: CountryCode;
  /** An unexpected failure behind a 500 (logged by the app). */
  onError?: (err: unknown) => void;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/** The simulator's routes when the app's gateway is the simulator; none otherwise. */
export function simulatorRoutesFor(gateway: WhatsAppGateway, options: SimulatorRouteOptions): HttpRoute[] {
  const simulator = simulatorBehind(gateway);
  return simulator ? simulatorRoutes(simulator, options) : [];
}

/**
 * `GET /simulator` (the page), `GET /simulator/events` (Server-Sent Events: a snapshot, then every
 * change) and the JSON API the page posts to.
 *
 * The port also takes Slack's requests, so it listens on every address; the page, though, lets
 * whoever opens it write to the team as any customer. Unless SIMULATOR_PUBLIC=true it therefore
 * answers only requests from this machine (403 otherwise), and only under a local host name, so a
 * web page elsewhere cannot reach it through DNS rebinding. JSON posts must say they are JSON,
 * which a plain cross-site form cannot.
 */
export function simulatorRoutes(simulator: SimulatorGateway, options: SimulatorRouteOptions): HttpRoute[] {
  const guard =
    (handler: HttpRoute['handler']): HttpRoute['handler'] =>
    (req, res) => {
      if (!options.public && !isLocal(req)) return send(res, 403, { error: 'the simulator answers only on this machine (set SIMULATOR_PUBLIC=true to open it to others)' });
      handler(req, res);
    };
  const post = <S extends z.ZodType>(path: string, schema: S, act: (input: z.infer<S>) => object): HttpRoute => ({
    path,
    method: ['POST'],
    handler: guard((req, res) => {
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return send(res, 415, { error: 'send JSON (content-type: application/json)' });
      readJson(req).then(
        (body) => {
          if ('error' in body) return send(res, body.status, { error: body.error });
          const parsed = schema.safeParse(body.value);
          if (!parsed.success) return send(res, 400, { error: reasonOf(parsed.error) });
          try {
            send(res, 200, { ok: true, ...act(parsed.data) });
          } catch (err) {
            if (err instanceof BadInput) return send(res, 400, { error: err.message });
            if (err instanceof GatewaySendError) return send(res, err.kind === 'not_connected' ? 503 : 404, { error: err.message });
            send(res, 500, { error: 'the simulator failed; see the app log' });
            options.onError?.(err);
          }
        },
        () => send(res, 400, { error: 'the request body could not be read' }),
      );
    }),
  });

  return [
    {
      path: '/simulator',
      method: ['GET'],
      handler: guard((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; img-src 'self' data:; media-src 'self' data:; script-src 'unsafe-inline'; style-src 'unsafe-inline'" });
        res.end(SIMULATOR_PAGE);
      }),
    },
    {
      path: '/simulator/events',
      method: ['GET'],
      handler: guard((req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        const write = (event: object) => res.write(`data: ${JSON.stringify(event)}\n\n`);
        write({ type: 'snapshot', ...simulator.snapshot() });
        const unsubscribe = simulator.onPage(write);
        // The stream ends with the page, or with the simulator (so the server can close).
        const unwatch = simulator.onStop(() => res.end());
        req.on('close', () => {
          unsubscribe();
          unwatch();
        });
      }),
    },
    post('/simulator/contacts', contactInput, ({ name, number }) => {
      const parsed = parseNumber(number, options.defaultCountry);
      if ('error' in parsed) throw new BadInput(parsed.error);
      return { contact: simulator.addContact({ name, ...parsed }) };
    }),
    post('/simulator/messages', messageInput, ({ waId, text, media, quotedId }) => {
      const content =
        text !== undefined
          ? ({ kind: 'text', text } as const)
          : (() => {
              const data = Buffer.from(media!.dataBase64, 'base64');
              return { kind: 'media' as const, mimetype: media!.mimetype, size: data.length, ...(media!.filename ? { filename: media!.filename } : {}), ...(media!.caption ? { caption: media!.caption } : {}), fetch: async () => data };
            })();
      return { message: simulator.customerSends(waId, content, quotedId) };
    }),
    post('/simulator/phone-messages', phoneMessageInput, ({ waId, text, automated }) => ({ message: simulator.phoneSends(waId, text, { automated }) })),
    post('/simulator/reactions', reactionInput, ({ waId, messageId, emoji }) => {
      simulator.customerReacts(waId, messageId, emoji);
      return {};
    }),
    post('/simulator/receipts', receiptsInput, ({ messageIds, ack }) => ({ moved: simulator.receipts(messageIds, ack) })),
  ];
}

/** A reason the input is refused that only the action can tell (say, a number that is no number). */
class BadInput extends Error {}

/** Headers a reverse proxy or tunnel adds: a request relayed from elsewhere, whatever its socket says. */
const RELAYED = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

/**
 * From this machine: a loopback socket, a local host name, and no proxy header — a reverse proxy or
 * tunnel on this host (nginx, ngrok) connects from loopback and may rewrite Host, but relays for others.
 */
function isLocal(req: IncomingMessage): boolean {
  if (RELAYED.some((h) => req.headers[h] !== undefined)) return false;
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && LOCAL_HOST.test(req.headers.host ?? '');
}

function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return;
  res.writeHead(status, JSON_TYPE);
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<{ value: unknown } | { error: string; status: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (tooLarge) return resolve({ error: `the body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`, status: 413 });
      try {
        resolve({ value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        resolve({ error: 'the body is not valid JSON', status: 400 });
      }
    });
  });
}
