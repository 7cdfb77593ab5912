import type { webApi } from '@slack/bolt';
import pino from 'pino';
import { groupMembers } from '../../../src/slack/roles';

/** A WebClient whose usergroups.users.list answers from a script, counting the calls. */
function slackWith(answers: Array<() => Promise<{ users?: string[] }>>) {
  let calls = 0;
  const client = { usergroups: { users: { list: () => answers[Math.min(calls++, answers.length - 1)]!() } } } as unknown as webApi.WebClient;
  return { client, calls: () => calls };
}

describe('a user group’s members, as the role check reads them', () => {
  const silent = pino({ level: 'silent' });
  let t = 0;
  const now = () => t;
  beforeEach(() => (t = 0));

  it('when the list is over a minute old, then the old list answers at once while a fresh one is read, and the fresh one is used after', async () => {
    let release!: (v: { users: string[] }) => void;
    const slack = slackWith([async () => ({ users: ['U0ANA'] }), () => new Promise((resolve) => (release = resolve))]);
    const members = groupMembers('S0LEADS', 'leads', silent, now);
    expect(await members(slack.client)).toEqual(new Set(['U0ANA']));
    t = 61_000;
    expect(await members(slack.client)).toEqual(new Set(['U0ANA'])); // not waiting for the read under way
    expect(await members(slack.client)).toEqual(new Set(['U0ANA']));
    expect(slack.calls()).toBe(2);
    release({ users: ['U0BO'] });
    await new Promise((r) => setImmediate(r));
    expect(await members(slack.client)).toEqual(new Set(['U0BO']));
  });

  it('when the group cannot be read, then its members are refused and Slack is not asked again for 30 s; a list over ten minutes old is not trusted', async () => {
    const slack = slackWith([async () => ({ users: ['U0ANA'] }), async () => Promise.reject(new Error('ratelimited'))]);
    const members = groupMembers('S0LEADS', 'leads', silent, now);
    await members(slack.client);
    t = 11 * 60_000;
    expect(await members(slack.client)).toBeUndefined();
    t += 10_000;
    expect(await members(slack.client)).toBeUndefined();
    expect(slack.calls()).toBe(2);
    t += 30_000;
    await members(slack.client);
    expect(slack.calls()).toBe(3);
  });
});
