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
  const results = await Promise.all(
    bodies.map(async (body) => {
      const start = performance.now();
      const res = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, secret) },
        body,
      });
      await res.text();
      return { ms: performance.now() - start, ok: res.status === 200 };
    }),
  );
  process.stdout.write(JSON.stringify(results));
}

void main();
