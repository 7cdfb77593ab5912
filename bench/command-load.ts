import { Agent, request } from 'node:http';
import { signSlackRequest } from '../test/support/slack/signed-request';

/**
 * A separate process that fires signed `/wa` commands at the app all at once, as Slack would, and
 * prints each request's time to acknowledgement: from the moment the request gets its socket
 * (before connecting, so the app accepting the connection counts) to the end of the response.
 * Time a request spends waiting inside this process for the other 199 to be built is the client's,
 * not the app's, so it is not counted. Args: <receiver url> <signing secret> <response origin> <count>.
 */
async function main(): Promise<void> {
  const [url, secret, origin, countText] = process.argv.slice(2) as [string, string, string, string];
  const texts = ['status', 'help', 'contact +447911123456', 'labels', 'contact ana', 'consent +447911123456', 'qr list', 'segment vip'];
  const bodies = Array.from({ length: Number(countText) }, (_, i) =>
    new URLSearchParams({
      token: 'legacy',
      team_id: 'T0TEAM',
      channel_id: 'C0INBOX01',
      user_id: 'U0LEAD01',
      command: '/wa',
      text: texts[i % texts.length]!,
      response_url: `${origin}/response/c${i}`,
      trigger_id: `t${i}`,
    }).toString(),
  );
  // node:http with kept-alive sockets: a light client, so the figure is the app's, not the client's.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/slack/events', url);
  const signed = (body: string) => ({ body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...signSlackRequest(body, secret) } });
  const send = ({ body, headers }: ReturnType<typeof signed>) =>
    new Promise<{ ms: number; ok: boolean }>((resolve, reject) => {
      let start = performance.now();
      const req = request(target, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - start, ok: res.statusCode === 200 }));
      });
      req.on('socket', () => (start = performance.now()));
      req.on('error', reject);
      req.end(body);
    });
  // This process warms up too (JIT, sockets), so what is timed is the app, not a cold client.
  for (const body of bodies.slice(0, 10 /* LOAD_WARM_UP in commands.ts */)) await send(signed(body.replace(/response%2Fc/, 'response%2Fwarm')));
  // Signed before the burst (Slack signs as it sends; here it would delay the requests behind).
  const burst = bodies.map(signed);
  const results = await Promise.all(burst.map(send));
  agent.destroy();
  process.stdout.write(JSON.stringify(results));
}

void main();
