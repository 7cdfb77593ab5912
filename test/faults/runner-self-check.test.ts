import { runSchedule } from './support/run-schedule';
import type { Schedule } from './support/schedule';

const NEVER = { kind: 'slack', nth: 10_000, mode: 'refused503' } as const;

/** The runner and its judges, without faults: a fault suite that cannot fail, or fails on a healthy run, proves nothing. */
describe('fault suite self-check', () => {
  it('when no fault fires, then a schedule with every kind of action keeps every invariant, and each action did what it says', async () => {
    const schedule: Schedule = {
      contacts: 2,
      instances: 1,
      actions: [
        { kind: 'inbound', contact: 0, word: 'text' },
        { kind: 'reply', contact: 0, via: 0 },
        { kind: 'inbound', contact: 0, word: 'STOP' },
        { kind: 'reply', contact: 0, via: 0 },
        { kind: 'together', first: { kind: 'inbound', contact: 1, word: 'text' }, second: { kind: 'reply', contact: 1, via: 0 } },
        { kind: 'optout', contact: 1, via: 0 },
        { kind: 'inbound', contact: 0, word: 'START' },
        { kind: 'inbound', contact: 0, word: 'YES' },
      ],
      faults: [NEVER],
    };
    const report = await runSchedule(schedule, {
      beforeChecks: async (w) => {
        const sentTexts = w.gateway.sent.map((s) => s.text);
        const [first, refused, alongside] = w.events.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
        expect(sentTexts).toEqual(expect.arrayContaining([first, alongside]));
        expect(sentTexts).not.toContain(refused);
        const optout = w.events.find((e) => e.type === 'optout');
        expect(optout).toMatchObject({ outcome: 'done' });
        expect((await w.oracle.contacts.findByWaId(optout!.contact))!.consent.status).toBe('opted_out');
        const posted = w.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts).map((c) => c.args.text);
        expect(posted).toEqual(expect.arrayContaining(w.events.flatMap((e) => (e.type === 'inbound' ? [e.text] : []))));
      },
    });
    expect(report.violations).toEqual([]);
    expect(report.fired).toEqual([]);
  });

  it('when a reply goes out twice, a message reaches an opted-out contact and a post is repeated in Slack, then each check says so', async () => {
    const schedule: Schedule = {
      contacts: 1,
      instances: 1,
      actions: [
        { kind: 'reply', contact: 0, via: 0 },
        { kind: 'inbound', contact: 0, word: 'STOP' },
      ],
      faults: [NEVER],
    };
    const report = await runSchedule(schedule, {
      beforeChecks: async (world) => {
        const reply = world.events.find((e) => e.type === 'reply')!;
        await world.gateway.sendText(reply.contact, reply.text); // a second copy, after the STOP
        const stop = world.slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.text === 'STOP')!;
        const res = await fetch(`${world.slack.url}chat.postMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test-token' },
          body: JSON.stringify(stop.args),
        });
        expect(res.status).toBe(200);
      },
    });
    expect(report.violations.map((v) => v.invariant).sort()).toEqual(['inboundOnceInOrder', 'noSendAfterOptOut', 'replyOnceOrFailed']);
  });
});
