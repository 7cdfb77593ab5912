import { planBroadcast, personOf, type AudienceContact, type PlanRules } from '../../../src/broadcast/plan';

const at = new Date('2026-11-01T10:00:00Z');
let n = 0;
function contact(over: Partial<AudienceContact> = {}): AudienceContact {
  n++;
  return { waId: `4479000${String(n).padStart(5, '0')}@c.us`, consent: { status: 'opted_in', source: 'reply:YES' }, activity: { status: 'active' }, lastInboundAt: at, ...over };
}
const rules = (over: Partial<PlanRules> = {}): PlanRules => ({
  audience: { labels: ['vip'], includeInactive: false },
  onlyWhoWrote: false,
  maxPerWeek: 2,
  weekCounts: new Map(),
  twinOptedOut: new Set(),
  ...over,
});

describe('planBroadcast', () => {
  it('sends only to confirmed opt-ins, and counts everyone else under one reason', () => {
    const plan = planBroadcast(
      [
        contact(),
        contact({ consent: { status: 'opted_out', source: 'keyword:STOP' } }),
        contact({ consent: { status: 'opted_out', source: 'suppressed:erased' } }),
        contact({ consent: { status: 'unknown' } }),
        contact({ consent: { status: 'pending' } }),
        contact({ activity: { status: 'archived' } }),
        contact({ activity: { status: 'inactive' } }),
        // Archived wins over opted out: each contact counts once.
        contact({ activity: { status: 'archived' }, consent: { status: 'opted_out' } }),
      ],
      rules(),
    );
    expect(plan.recipients).toHaveLength(1);
    expect(plan.excluded).toEqual({ opted_out: 1, suppressed: 1, never_opted_in: 1, opt_in_pending: 1, archived: 2, inactive: 1 });
  });

  it('includes flagged-inactive contacts only when the lead ticks it', () => {
    const list = [contact({ activity: { status: 'inactive' } })];
    expect(planBroadcast(list, rules({ audience: { labels: ['vip'], includeInactive: true } })).recipients).toHaveLength(1);
  });

  it('sends one message to one person known under two ids: the id they wrote from last', () => {
    const lid = '123456789012345@lid';
    const phone = contact({ aliasWaId: lid, lastInboundAt: new Date(at.getTime() - 1000) });
    const viaLid = contact({ waId: lid, aliasWaId: phone.waId, lastInboundAt: at });
    const plan = planBroadcast([phone, viaLid], rules());
    expect(plan.recipients.map((r) => r.waId)).toEqual([lid]);
    expect(plan.excluded).toEqual({ same_person: 1 });
    expect(personOf(phone)).toBe(personOf(viaLid));
  });

  it('leaves out a person whose other id opted out, even when that id is not in the audience', () => {
    const c = contact({ aliasWaId: '999@lid' });
    expect(planBroadcast([c], rules({ twinOptedOut: new Set([c.waId]) })).excluded).toEqual({ opted_out: 1 });
  });

  it('applies the frequency cap per person over the last seven days', () => {
    const a = contact();
    const b = contact();
    const plan = planBroadcast([a, b], rules({ weekCounts: new Map([[a.waId, 2], [b.waId, 1]]) }));
    expect(plan.recipients.map((r) => r.waId)).toEqual([b.waId]);
    expect(plan.excluded).toEqual({ frequency_cap: 1 });
  });

  it("on WhatsApp Web: only people who wrote before, and the gateway's limit counted as over it", () => {
    const list = [contact({ lastInboundAt: undefined }), ...Array.from({ length: 5 }, () => contact())];
    const plan = planBroadcast(list, rules({ onlyWhoWrote: true, limit: 3 }));
    expect(plan.recipients).toHaveLength(3);
    expect(plan.excluded).toEqual({ never_wrote: 1, over_limit: 2 });
  });
});
