import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGraphApi } from '../test/support/fake-graph-api';

/**
 * The fake Graph API in its own process, as graph.facebook.com would be, behind Meta's throughput
 * limit: message sends over GRAPH_SEND_PER_SEC get error 130429. The limit is judged here, as the
 * requests arrive over the network; in the app's process it would see them only when the app's
 * event loop let it, on the same schedule the app's own limiter made, and miss any burst.
 * Prints "<api origin> <control url>"; GET <control>/sends lists the times of the accepted sends and
 * of those refused with 130429.
 */
const PER_SEC = Number(process.env.GRAPH_SEND_PER_SEC ?? 80);
/**
 * A token bucket holding one second's worth, as the app's SendRate does, plus 5 %: requests cross
 * a socket and two event loops, so a steady R/s leaves with a millisecond or two of jitter, and
 * Meta's own enforcement is not millisecond-exact either. A sustained overrun is still refused.
 */
const CAPACITY = Math.max(PER_SEC + 1, PER_SEC * 1.05);

async function main(): Promise<void> {
  const api = await new FakeGraphApi({ phoneNumberId: process.env.GRAPH_PHONE_ID, wabaId: process.env.GRAPH_WABA_ID, token: process.env.GRAPH_TOKEN }).start();
  let tokens = CAPACITY;
  let last = performance.now();
  const refused: number[] = [];
  const allowSend = (): boolean => {
    const now = performance.now();
    tokens = Math.min(CAPACITY, tokens + ((now - last) * PER_SEC) / 1000);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const upstream = new URL(api.origin);
  const front = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const isSend = req.method === 'POST' && /\/messages$/.test(new URL(req.url ?? '/', 'http://x').pathname) && !raw.toString().includes('"status":"read"');
      if (isSend && !allowSend()) {
        refused.push(Date.now());
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' }, fbtrace_id: 'AbenchTrace' } }));
        return;
      }
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': raw.length } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(raw);
    });
  });
  front.keepAliveTimeout = 60_000;
  front.listen(0, '127.0.0.1');
  const control = createServer((req, res) => {
    const sends = api.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/messages') && c.status === 200 && c.body?.status !== 'read').map((c) => c.at.getTime());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sends, refused, other: api.calls.filter((c) => c.status !== 200).length }));
  });
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${(front.address() as AddressInfo).port} http://127.0.0.1:${(control.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

void main();
