import { Agent, request } from 'node:http';
import { signSlackRequest } from '../test/support/slack/signed-request';

/**
 * A separate process that fires signed `/wa` commands at the app all at once, as Slack would, and
 * prints each request's time to acknowledgement. Args: <receiver url> <signing secret> <response origin> <count>.
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
  const send = (body: string) =>
    new Promise<{ ms: number; ok: boolean }>((resolve, reject) => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...signSlackRequest(body, secret) };
      const start = performance.now();
      const req = request(target, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - start, ok: res.statusCode === 200 }));
      });
      req.on('error', reject);
      req.end(body);
    });
  // This process warms up too (JIT, sockets), so what is timed is the app, not a cold client.
  for (const body of bodies.slice(0, 10 /* LOAD_WARM_UP in commands.ts */)) await send(body.replace(/response%2Fc/, 'response%2Fwarm'));
  const results = await Promise.all(
    bodies.map((body) => send(body)),
  );
  agent.destroy();
  process.stdout.write(JSON.stringify(results));
}

void main();
