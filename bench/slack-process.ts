import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeSlackApi } from '../test/support/slack/fake-slack-api';

/**
 * The fake Slack API in its own process, as slack.com would be: the app's process then carries only
 * the app. Prints "<api url> <control url>"; GET <control>/posts lists the thread posts received.
 * GET <control>/responses lists what `respond()` posted to response URLs. With SLACK_DOWN=1 every
 * post fails with a 500.
 */
async function main(): Promise<void> {
  const api = await startFakeSlackApi();
  // SLACK_DOWN=1: every post fails with a 500, so everything stays queued.
  if (process.env.SLACK_DOWN) api.respond('chat.postMessage', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
  let count = 0;
  const waiting: Array<{ n: number; done: () => void }> = [];
  // Count thread posts as they arrive, so a waiting bench is told at once instead of polling.
  const countPosts = () => {
    count = api.calls.filter((c) => c.method === 'chat.postMessage' && c.result && c.args.thread_ts).length;
    for (const w of waiting.splice(0)) (count >= w.n ? w.done : () => waiting.push(w))();
  };
  // Only while a bench waits: this process shares the machine with the app it measures.
  setInterval(() => waiting.length > 0 && countPosts(), 20).unref();
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/wait') {
      // Answers once at least n thread posts have arrived.
      const n = Number(url.searchParams.get('n'));
      countPosts();
      if (count >= n) return reply({ count });
      return void waiting.push({ n, done: () => reply({ count }) });
    }
    if (url.pathname === '/responses') return reply(api.responses.map((r) => ({ id: r.id, text: String(r.body.text ?? '') })));
    const posts = api.calls
      .filter((c) => c.method === 'chat.postMessage' && c.result && c.args.thread_ts)
      .map((c) => ({ text: String(c.args.text), at: c.at.getTime() }));
    reply(url.pathname === '/count' ? { count: posts.length } : posts);
  });
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${api.url} http://127.0.0.1:${(control.address() as AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}

void main();
