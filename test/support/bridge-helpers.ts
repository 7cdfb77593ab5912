import type { InboundMessage } from '../../src/whatsapp/gateway';
import type { TestApp } from './app-harness';
import type { SlackCall } from './slack/fake-slack-api';

/** A clock tests move by hand. */
export function manualClock(start = '2026-11-25T09:00:00Z') {
  let now = new Date(start);
  const clock = () => now;
  return {
    clock,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

/** Delivers inbound messages as WhatsApp would and runs the Slack dispatcher until nothing is due. */
export async function receiveAndMirror(t: TestApp, ...messages: Array<Partial<InboundMessage>>): Promise<InboundMessage[]> {
  const received = messages.map((m) => t.gateway.receive(m));
  await t.app.bridge.recorded();
  await t.app.bridge.toSlack.runDue();
  return received;
}

/** Successful chat.postMessage calls into threads (the mirrored messages, not the roots). */
export function threadPosts(t: TestApp): SlackCall[] {
  return t.slack.callsTo('chat.postMessage').filter((c) => c.result && c.args.thread_ts);
}

/** Polls until `check` holds: for work an HTTP request starts but does not wait for (event listeners). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
