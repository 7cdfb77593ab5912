import { Agent, request } from 'node:http';
import { buildWebhook, inboundMessage, signWebhook } from '../test/support/fake-graph-api';

/**
 * A separate process playing Meta: signed Cloud API webhooks, one text message each, every one
 * delivered twice (Meta retries whatever it got no timely 200 for, and a retry is not always
 * byte-identical: every other second delivery is the same message in re-serialised bytes). At most
 * <concurrency> requests are in flight over kept-alive sockets, as a webhook sender's pool would be.
 * Prints JSON: when the first request went (epoch ms), each 200's time to its answer, and how many
 * deliveries got anything else. A time runs from the moment the request has its socket to the end
 * of the response (the 200 as Meta sees it).
 * With a <rate> (deliveries a second) they go on that schedule instead, whatever is in flight (an
 * open loop: the ack times are then the app's, not a queue this process keeps full).
 * Args: <webhook url> <app secret> <first index> <count> <contacts> <concurrency> [rate].
 */
const REDELIVERY_GAP = 100;

async function main(): Promise<void> {
  const [url, secret, firstText, countText, contactsText, concurrencyText, rateText] = process.argv.slice(2) as [string, string, string, string, string, string, string?];
  const rate = Number(rateText ?? 0);
  const [first, count, contacts, concurrency] = [firstText, countText, contactsText, concurrencyText].map(Number) as [number, number, number, number];
  const contactOf = (i: number) => `4479110${String(i % contacts).padStart(5, '0')}`;
  const at = new Date();
  const bodies = Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const message = inboundMessage(contactOf(i), 'text', { body: `t${i}` }, { id: `wamid.BENCH${i}`, at });
    const raw = JSON.stringify(buildWebhook({ messages: [message] }));
    const again = k % 2 === 0 ? raw : JSON.stringify(buildWebhook({ entries: [{ changes: [{ messages: [message] }], time: Math.floor(at.getTime() / 1000) }] }));
    return { raw, again };
  });
  // The second delivery of webhook i follows the first delivery of webhook i + REDELIVERY_GAP.
  const order: string[] = [];
  for (let k = 0; k < count; k++) {
    order.push(bodies[k]!.raw);
    if (k >= REDELIVERY_GAP) order.push(bodies[k - REDELIVERY_GAP]!.again);
  }
  for (let k = Math.max(0, count - REDELIVERY_GAP); k < count; k++) order.push(bodies[k]!.again);
  // Signed before the run (Meta signs as it sends; here signing would delay the requests behind).
  const signed = order.map((raw) => ({ raw, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), 'x-hub-signature-256': signWebhook(raw, secret) } }));

  const agent = new Agent({ keepAlive: true, maxSockets: rate > 0 ? Infinity : concurrency });
  const target = new URL('/whatsapp/webhook', url);
  const send = ({ raw, headers }: (typeof signed)[number]) =>
    new Promise<{ ms: number; ok: boolean }>((resolve, reject) => {
      let start = performance.now();
      const req = request(target, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - start, ok: res.statusCode === 200 }));
      });
      req.on('socket', () => (start = performance.now()));
      req.on('error', reject);
      req.end(raw);
    });

  const acks: number[] = [];
  let failed = 0;
  let next = 0;
  const startedAt = Date.now();
  const worker = async () => {
    while (next < signed.length) {
      const { ms, ok } = await send(signed[next++]!);
      if (ok) acks.push(ms);
      else failed++;
    }
  };
  const paced = async () => {
    const sent: Array<Promise<void>> = [];
    for (let k = 0; k < signed.length; k++) {
      const wait = startedAt + (k * 1000) / rate - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      sent.push(send(signed[k]!).then(({ ms, ok }) => void (ok ? acks.push(ms) : failed++)));
    }
    await Promise.all(sent);
  };
  await (rate > 0 ? paced() : Promise.all(Array.from({ length: concurrency }, worker)));
  agent.destroy();
  process.stdout.write(JSON.stringify({ startedAt, endedAt: Date.now(), acks, failed }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
