import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlackApi } from '../test/support/slack/fake-slack-api';

/**
 * The fake Slack API in its own process, as slack.com would be: the app's process then carries only
 * the app. Prints "<api url> <control url>"; GET <control>/posts lists the thread posts received.
 * With SLACK_DOWN=1 every post fails with a 500.
 */
async function main(): Promise<void> {
  const api = await startFakeSlackApi();
  // SLACK_DOWN=1: every post fails with a 500, so everything stays queued.
  if (process.env.SLACK_DOWN) api.respond('chat.postMessage', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
  const control = createServer((req, res) => {
    const posts = api.calls
      .filter((c) => c.method === 'chat.postMessage' && c.result && c.args.thread_ts)
      .map((c) => ({ text: String(c.args.text), at: c.at.getTime() }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/count' ? { count: posts.length } : posts));
  });
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${api.url} http://127.0.0.1:${(control.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}

void main();
