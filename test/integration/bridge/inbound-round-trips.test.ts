import type { Repositories } from '../../../src/store/repositories';
import { startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const ANA = '447911123456@c.us';

/**
 * The store round trips an inbound message costs (the Cloud API bench is bound by them): a
 * redelivery of a finished message writes nothing. (The queue reads per run: dispatcher-reads.test.ts.)
 */
describe('inbound store round trips', () => {
  const slack = useFakeSlackApi();
  const time = manualClock('2026-12-04T10:00:00Z');
  let t: TestApp;
  const calls = { recordInbound: 0 };

  /** Counts the inbound message writes the app makes. */
  function counting(repos: Repositories): Repositories {
    const messages = repos.messages;
    return {
      ...repos,
      messages: {
        ...messages,
        recordInbound: (...args) => {
          calls.recordInbound++;
          return messages.recordInbound(...args);
        },
      },
    };
  }

  beforeEach(async () => {
    calls.recordInbound = 0;
    t = await startTestApp({}, { slack, clock: time.clock, wrapRepositories: counting });
  });
  afterEach(async () => {
    await t.stop();
  });

  it('when WhatsApp hands over a message that is already recorded and posted, then it is not written again, and Slack has it once', async () => {
    const first = t.gateway.receive({ from: ANA, content: { kind: 'text', text: 'only once' } });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    const writes = calls.recordInbound;
    t.gateway.receive({ ...first });
    t.gateway.receive({ ...first });
    await t.app.bridge.recorded();
    await t.app.bridge.toSlack.runDue();
    expect(calls.recordInbound).toBe(writes);
    expect(threadPosts(t).filter((p) => p.args.text === 'only once')).toHaveLength(1);
  });

  it('when messages keep arriving while their conversation is being posted, then every one is posted, in order', async () => {
    for (let i = 0; i < 30; i++) {
      t.gateway.receive({ from: ANA, content: { kind: 'text', text: `m${i}` } });
      // Some arrive while the drain of the earlier ones is under way.
      if (i % 7 === 0) await new Promise((res) => setImmediate(res));
    }
    await t.app.bridge.recorded();
    await eventually(() => threadPosts(t).filter((p) => /^m\d+$/.test(String(p.args.text))).length === 30, 'the 30 messages in Slack');
    expect(threadPosts(t).map((p) => p.args.text).filter((x) => /^m\d+$/.test(String(x)))).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
  });
});
