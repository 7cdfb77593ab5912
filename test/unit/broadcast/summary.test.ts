import { summarize, summaryLines, type BroadcastOutcomeQueries, type ContactEvent, type SentCopy } from '../../../src/broadcast/summary';
import type { BroadcastRecipient } from '../../../src/domain/broadcast';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-30T10:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const id = (i: number) => `4479110000${String(i).padStart(2, '0')}@c.us`;

/** 40 copies sent at T0; the queries answer from these lists and count how often they were asked. */
function outcomes(optOuts: ContactEvent[], inbound: ContactEvent[] = []) {
  const copies: SentCopy[] = Array.from({ length: 40 }, (_, i) => ({ contactWaId: id(i), sentAt: T0 }));
  const asked: string[] = [];
  const queries: BroadcastOutcomeQueries = {
    sentCopies: async () => (asked.push('copies'), copies),
    inboundAfter: async () => (asked.push('inbound'), inbound),
    optOutsAfter: async () => (asked.push('optOuts'), optOuts),
  };
  return { queries, asked };
}
async function* none(): AsyncIterable<BroadcastRecipient> {}
const figures = { recipients: { queued: 40 }, delivery: { delivered: 30, read: 10 } };

describe('a broadcast’s results: replies and opt-outs within 72 hours of each copy', () => {
  it('when one recipient of 40 opts out within 72 h and another after, then one is counted (2.5 %) and flagged', async () => {
    const { queries, asked } = outcomes([
      { contact: id(1), at: at(71) },
      { contact: id(2), at: at(73) },
      { contact: 'someone-else@c.us', at: at(1) },
    ]);
    const s = await summarize({ recipients: none, outcomes: queries }, { id: 'b1' }, figures);
    expect(s).toMatchObject({ sent: 40, delivered: 40, read: 10, optOuts: 1, optOutRate: 0.025, warning: true });
    expect(summaryLines(s).join('\n')).toMatch(/Opt-outs\* 1 \(2\.5 %.*\n:warning: .*check the list or the message/);
    // One query per kind, whatever the number of recipients.
    expect(asked.sort()).toEqual(['copies', 'inbound', 'optOuts']);
  });

  it('when no more than 2 % opt out, then there is no warning; replies before the copy are not counted', async () => {
    const { queries } = outcomes([], [
      { contact: id(3), at: at(2) },
      { contact: id(3), at: at(5) },
      { contact: id(4), at: at(-1) },
    ]);
    const s = await summarize({ recipients: none, outcomes: queries }, { id: 'b1' }, figures);
    expect(s).toMatchObject({ replies: 1, optOuts: 0, warning: false });
    expect(summaryLines(s).join('\n')).not.toMatch(/warning/);
  });
});
