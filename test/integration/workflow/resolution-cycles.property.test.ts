import fc from 'fast-check';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const START = Date.parse('2026-11-25T10:00:00Z');
const MINUTE = 60_000;

type Step = { kind: 'writes' | 'resolve' | 'snooze' | 'wake' | 'reopen'; after: number };
const step = fc.record({ kind: fc.constantFrom<Step['kind']>('writes', 'resolve', 'snooze', 'wake', 'reopen'), after: fc.integer({ min: 1, max: 120 }) });

/**
 * The resolution figure over any sequence of presses, snoozes and messages: one resolution per
 * cycle, timed from the cycle's start. A cycle starts with the customer's first message, or when
 * the customer writes or someone reopens it by hand after it was resolved; snoozing a resolved
 * conversation and its snooze ending do not start one (a reminder is not new work).
 */
describe('resolutions over any sequence', () => {
  const db = useTestDb();
  let now = START;
  const repos = useRepositories(db, () => new Date(now), ['contacts', 'conversation_events']);
  let run = 0;

  it('when a conversation is resolved, snoozed, woken, reopened and written to in any order, then each cycle counts at most one resolution, never including time before it began', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const waId = `4479110${String(++run).padStart(5, '0')}@c.us`;
        now = START;
        await repos.contacts.recordInbound({ waId, at: new Date(now) });
        // The model: the status, when the cycle began, whether it was resolved in this cycle.
        let status = 'open';
        let cycleStart = now;
        let resolvedInCycle = false;
        const expected: number[] = [];
        const newCycleIfResolved = () => {
          if (status === 'resolved' || resolvedInCycle) {
            cycleStart = now;
            resolvedInCycle = false;
          }
        };
        for (const { kind, after } of steps) {
          now += after * MINUTE;
          const at = new Date(now);
          if (kind === 'writes') {
            await repos.contacts.recordInbound({ waId, at });
            newCycleIfResolved();
            status = 'open';
          } else if (kind === 'resolve') {
            await repos.conversations.setStatus(waId, 'resolved', 'U0AGENT', at);
            if (status !== 'resolved' && !resolvedInCycle) expected.push(now - cycleStart);
            if (status !== 'resolved') resolvedInCycle = true;
            status = 'resolved';
          } else if (kind === 'snooze') {
            await repos.conversations.setStatus(waId, 'snoozed', 'U0AGENT', at, new Date(now + MINUTE));
            status = 'snoozed';
          } else if (kind === 'wake') {
            // Past any snooze's end.
            now += MINUTE;
            await repos.conversations.wakeSnoozed(new Date(now));
            if (status === 'snoozed') status = 'open';
          } else {
            await repos.conversations.setStatus(waId, 'open', 'U0AGENT', at);
            if (status !== 'open') newCycleIfResolved();
            status = 'open';
          }
        }
        const events = await repos.conversations.history(waId, 100);
        const resolutions = events.filter((e) => e.type === 'resolution').map((e) => e.ms).reverse();
        expect(resolutions).toEqual(expected);
        expect((await repos.contacts.findByWaId(waId))!.conversation!.status).toBe(status);
      }),
      { numRuns: 40 },
    );
  });
});
