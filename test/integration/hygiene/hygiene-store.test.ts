import { optOutTwins } from '../../../src/consent/twins';
import { manualClock } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const DAY = 86_400_000;
const rules = (now: Date, inactiveDays = 90, noReplyDays = 30) => ({
  inactiveBefore: new Date(now.getTime() - inactiveDays * DAY),
  inactiveDays,
  optedInBefore: new Date(now.getTime() - noReplyDays * DAY),
  noReplyDays,
  now,
});

/** Hygiene's set-based writes over a real MongoDB wire connection. */
describe('hygiene in the store', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-25T03:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'consent_events', 'job_slots']);
  let n = 0;
  const waId = () => `4477009${String(++n).padStart(5, '0')}@c.us`;

  /** A contact whose last message was `daysAgo` days before now. */
  async function contactLastSeen(daysAgo: number, id = waId()): Promise<string> {
    await repos.contacts.recordInbound({ waId: id, name: 'Ana', at: new Date(time.clock().getTime() - daysAgo * DAY) });
    return id;
  }

  it('when a contact crosses the inactive threshold, then it is flagged exactly once, with the reason, and an inbound message reactivates it', async () => {
    const quiet = await contactLastSeen(91);
    const recent = await contactLastSeen(89);
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 1, noReply: 0 });
    expect((await repos.contacts.findByWaId(quiet))!.activity).toEqual({ status: 'inactive', reason: 'no message for 90 days', since: time.clock() });
    expect((await repos.contacts.findByWaId(recent))!.activity.status).toBe('active');

    // The next day's run flags nothing new for the same contact; the one that crossed meanwhile, once.
    time.advance(2 * DAY);
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 1, noReply: 0 });
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 0, noReply: 0 });

    const back = await repos.contacts.recordInbound({ waId: quiet, at: time.clock() });
    expect(back.activity).toMatchObject({ status: 'active', reason: 'inbound message' });
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 0, noReply: 0 });
  });

  it('when an opted-in contact never writes after opting in, then it is flagged after the no-reply days; one who wrote since is not', async () => {
    const silent = await contactLastSeen(31);
    await repos.contacts.setConsent(silent, { status: 'opted_in', since: new Date(time.clock().getTime() - 31 * DAY), source: 'reply:YES' });
    const talker = await contactLastSeen(5);
    await repos.contacts.setConsent(talker, { status: 'opted_in', since: new Date(time.clock().getTime() - 31 * DAY), source: 'reply:YES' });
    const fresh = await contactLastSeen(10);
    await repos.contacts.setConsent(fresh, { status: 'opted_in', since: new Date(time.clock().getTime() - 10 * DAY), source: 'reply:YES' });

    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 0, noReply: 1 });
    expect((await repos.contacts.findByWaId(silent))!.activity).toMatchObject({ status: 'inactive', reason: 'no reply within 30 days of opting in' });
    expect((await repos.contacts.findByWaId(talker))!.activity.status).toBe('active');
    expect((await repos.contacts.findByWaId(fresh))!.activity.status).toBe('active');
  });

  it('when a pending opt-in request is older than the expiry, then the ledger records it and the contact goes back to what it was before', async () => {
    const wasOut = await contactLastSeen(1);
    const wasUnknown = await contactLastSeen(1);
    const recent = await contactLastSeen(1);
    const old = new Date(time.clock().getTime() - 8 * DAY);
    await repos.contacts.setConsent(wasOut, { status: 'pending', since: old, source: 'keyword:START', before: 'opted_out' });
    await repos.contacts.setConsent(wasUnknown, { status: 'pending', since: old, source: 'slack:/wa optin', before: 'unknown' });
    await repos.contacts.setConsent(recent, { status: 'pending', since: new Date(time.clock().getTime() - DAY), before: 'unknown' });

    expect(await repos.hygiene.expirePendingOptIns(new Date(time.clock().getTime() - 7 * DAY), time.clock())).toEqual({ expired: 2 });
    expect((await repos.contacts.findByWaId(wasOut))!.consent).toMatchObject({ status: 'opted_out', source: 'opt-in request expired' });
    expect((await repos.contacts.findByWaId(wasUnknown))!.consent).toMatchObject({ status: 'unknown', source: 'opt-in request expired' });
    expect((await repos.contacts.findByWaId(recent))!.consent.status).toBe('pending');
    const [entry] = await repos.consentLedger.listForContact(wasOut);
    expect(entry).toMatchObject({ type: 'opt_in_expired', source: 'job:expire-opt-ins', actor: 'system', at: time.clock() });
    expect(entry!.evidence).toBe(`no YES to the opt-in request of ${old.toISOString()}`);
    // Idempotent: nothing left to expire, nothing written twice.
    expect(await repos.hygiene.expirePendingOptIns(new Date(time.clock().getTime() - 7 * DAY), time.clock())).toEqual({ expired: 0 });
    expect(await db.db.collection('consent_events').countDocuments({ type: 'opt_in_expired' })).toBe(2);
  });

  it('when a request from before requests remembered the old state expires, then the ledger decides: opted out stays out, anyone else goes back to unknown', async () => {
    const old = new Date(time.clock().getTime() - 8 * DAY);
    const [outThenStart, neverOut, outThenInThenStart] = await Promise.all([contactLastSeen(1), contactLastSeen(1), contactLastSeen(1)]);
    const entry = (contact: string, type: 'opt_out' | 'opt_in_confirmed', daysAgo: number) =>
      repos.consentLedger.append({ contact, type, source: 't', actor: 'contact', evidence: 't', at: new Date(time.clock().getTime() - daysAgo * DAY) });
    await entry(outThenStart, 'opt_out', 30);
    await entry(outThenInThenStart, 'opt_out', 60);
    await entry(outThenInThenStart, 'opt_in_confirmed', 50);
    for (const id of [outThenStart, neverOut, outThenInThenStart]) await repos.contacts.setConsent(id, { status: 'pending', since: old, source: 'keyword:START' }); // no `before`
    expect(await repos.hygiene.expirePendingOptIns(new Date(time.clock().getTime() - 7 * DAY), time.clock())).toEqual({ expired: 3 });
    expect((await repos.contacts.findByWaId(outThenStart))!.consent.status).toBe('opted_out');
    expect((await repos.contacts.findByWaId(neverOut))!.consent.status).toBe('unknown');
    expect((await repos.contacts.findByWaId(outThenInThenStart))!.consent.status).toBe('unknown');
  });

  it('when an expiry run crashed after writing the ledger, then the next run completes it without a second ledger entry', async () => {
    const id = await contactLastSeen(1);
    const since = new Date(time.clock().getTime() - 8 * DAY);
    await repos.contacts.setConsent(id, { status: 'pending', since, before: 'opted_out' });
    // What the crashed run left: its ledger entry, and the contact still pending.
    await repos.consentLedger.appendOnce([
      { contact: id, type: 'opt_in_expired', source: 'job:expire-opt-ins', actor: 'system', evidence: 'x', at: time.clock(), key: `opt_in_expired:${id}:${since.toISOString()}` },
    ]);
    expect(await repos.hygiene.expirePendingOptIns(new Date(time.clock().getTime() - 7 * DAY), time.clock())).toEqual({ expired: 1 });
    expect((await repos.contacts.findByWaId(id))!.consent.status).toBe('opted_out');
    expect(await db.db.collection('consent_events').countDocuments({ contact: id })).toBe(1);
  });

  it('when a flagging run crashed half-way, then the next run flags the rest and nobody twice', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => contactLastSeen(100)));
    // The crash: only the first three were written.
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(0, 3) } }, { $set: { activity: { status: 'inactive', reason: 'no message for 90 days', since: time.clock() } } });
    time.advance(DAY);
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 3, noReply: 0 });
    const since = await db.db.collection('contacts').distinct('activity.since', { waId: { $in: ids } });
    expect(since).toHaveLength(2); // the crashed run's three kept their date
  });

  it('when the report figures are computed over a fixture, then each matches the data', async () => {
    const from = new Date(time.clock().getTime() - 7 * DAY);
    const ids = await Promise.all(Array.from({ length: 10 }, () => contactLastSeen(1)));
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(0, 2) } }, { $set: { 'activity.status': 'inactive', 'activity.since': new Date(from.getTime() + DAY) } });
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(2, 3) } }, { $set: { 'activity.status': 'inactive', 'activity.since': new Date(from.getTime() - DAY) } });
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(3, 4) } }, { $set: { 'activity.status': 'archived', 'activity.since': new Date(from.getTime() - 2 * DAY), 'consent.status': 'opted_in' } }); // flagged before the period
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(4, 7) } }, { $set: { 'consent.status': 'opted_in' } });
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(7, 8) } }, { $set: { 'consent.status': 'opted_out' } });
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(0, 5) } }, { $set: { labels: ['vip'] } });
    await db.db.collection('contacts').updateMany({ waId: { $in: ids.slice(5, 7) } }, { $set: { labels: ['billing', 'vip'] } });
    const ledger = (type: 'opt_out' | 'opt_in_expired', at: Date) => repos.consentLedger.append({ contact: ids[0]!, type, source: 't', actor: 't', evidence: 't', at });
    await ledger('opt_out', new Date(from.getTime() + DAY));
    await ledger('opt_out', new Date(from.getTime() - DAY)); // the previous period
    await ledger('opt_out', from); // the previous report's last moment: counted there
    await ledger('opt_out', time.clock()); // this report's moment: counted here
    await ledger('opt_in_expired', new Date(from.getTime() + 2 * DAY));

    const { figures, topLabels } = await repos.hygiene.figures({ from, to: time.clock() });
    expect(figures).toEqual({
      total: 10,
      active: 6,
      inactive: 3,
      archived: 1,
      optedIn: 3, // the archived one is not counted
      optedOut: 1,
      pending: 0,
      newlyInactive: 2,
      optedOutInPeriod: 2,
      expiredInPeriod: 1,
      consentRate: 33.3, // 3 of the 9 not archived
    });
    expect(topLabels).toEqual([
      { label: 'vip', count: 6 }, // the archived contact's label is not counted
      { label: 'billing', count: 2 },
    ]);
  });

  it('when inactive contacts are archived, then they leave segments and stay archived when they write again', async () => {
    const id = await contactLastSeen(100);
    await repos.contacts.addLabels(id, ['vip']);
    await repos.hygiene.flagInactive(rules(time.clock()));
    expect(await repos.contacts.countSegment({ labels: ['vip'] })).toBe(1);
    expect(await repos.hygiene.archiveInactive(time.clock(), 'U0LEAD01')).toBe(1);
    expect(await repos.contacts.countSegment({ labels: ['vip'] })).toBe(0);
    expect((await repos.contacts.recordInbound({ waId: id, at: time.clock() })).activity).toMatchObject({ status: 'archived', reason: 'archived by U0LEAD01' });
  });

  it('when a contact is flagged and then archived within the period, then the report still counts it newly inactive; one flagged before the period and archived in it is not', async () => {
    const from = time.clock();
    const before = await contactLastSeen(91);
    await repos.hygiene.flagInactive(rules(time.clock())); // flagged at the previous report's moment: counted there
    time.advance(DAY);
    const during = await contactLastSeen(91);
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 1, noReply: 0 });
    time.advance(DAY);
    expect(await repos.hygiene.archiveInactive(time.clock(), 'U0LEAD01')).toBe(2);
    expect((await repos.contacts.findByWaId(during))!.activity.status).toBe('archived');
    // Archiving keeps when the contact was flagged (who archived it, and when, is in the audit log).
    expect((await repos.contacts.findByWaId(before))!.activity).toMatchObject({ status: 'archived', since: from, reason: 'archived by U0LEAD01' });
    const after = await contactLastSeen(91);
    expect(await repos.hygiene.flagInactive(rules(time.clock()))).toEqual({ noMessage: 1, noReply: 0 });
    expect((await repos.contacts.findByWaId(after))!.activity.status).toBe('inactive');
    time.advance(DAY);
    const { figures } = await repos.hygiene.figures({ from, to: time.clock() });
    expect(figures.newlyInactive).toBe(2); // the one flagged then archived in the period, and the one still inactive
  });

  it('when one person opts out under one WhatsApp id and the opt-out covers their other id, then "opted out this period" counts them once', async () => {
    const from = new Date(time.clock().getTime() - DAY);
    const phone = await contactLastSeen(1, '447700900555@c.us');
    const lid = await contactLastSeen(1, '123456789012345@lid');
    await repos.contacts.linkAlias(phone, lid);
    await repos.contacts.linkAlias(lid, phone);
    const other = await contactLastSeen(1);
    const deps = { contacts: repos.contacts, ledger: repos.consentLedger };
    for (const waId of [phone, other]) {
      await repos.consentLedger.append({ contact: waId, type: 'opt_out', source: 'whatsapp:keyword', actor: 'contact', evidence: 'STOP', at: time.clock() });
      await repos.contacts.setConsent(waId, { status: 'opted_out', since: time.clock(), source: 'keyword:STOP' });
    }
    await optOutTwins(deps, (await repos.contacts.findByWaId(phone))!, time.clock());
    expect((await repos.contacts.findByWaId(lid))!.consent.status).toBe('opted_out');
    expect((await repos.consentLedger.listForContact(lid)).map((e) => e.type)).toEqual(['opt_out']);
    const { figures } = await repos.hygiene.figures({ from, to: time.clock() });
    expect(figures.optedOut).toBe(3); // both ids are opted out, as the gate needs
    expect(figures.optedOutInPeriod).toBe(2); // two people opted out
  });

  it('when two instances claim one slot at once, then exactly one wins; a claim that lapsed unfinished can be taken over once, a finished one never', async () => {
    const key = 'flag-inactive:2026-11-25T03:00:00.000Z';
    const wins = await Promise.all([repos.jobSlots.claim(key, 'a', 60_000), repos.jobSlots.claim(key, 'b', 60_000), repos.jobSlots.claim(key, 'c', 60_000)]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await repos.jobSlots.hasHistory('flag-inactive')).toBe(true);
    expect(await repos.jobSlots.hasHistory('hygiene-report')).toBe(false);

    // The winner crashed: once its lease lapses, one other instance may take the slot over.
    time.advance(61_000);
    const takeovers = await Promise.all([repos.jobSlots.claim(key, 'b', 60_000), repos.jobSlots.claim(key, 'c', 60_000)]);
    expect(takeovers.filter(Boolean)).toHaveLength(1);
    const newOwner = takeovers[0] ? 'b' : 'c';
    // The crashed first owner finishing late does not complete the new owner's run.
    const firstOwner = wins[0] ? 'a' : wins[1] ? 'b' : 'c';
    await repos.jobSlots.complete(key, firstOwner === newOwner ? 'nobody' : firstOwner);
    expect(await repos.jobSlots.isComplete(key)).toBe(false);
    // A live run renews its claim: nobody can take it over meanwhile; only its owner can renew it.
    await repos.jobSlots.renew(key, firstOwner === newOwner ? 'nobody' : firstOwner, 60_000);
    time.advance(50_000);
    await repos.jobSlots.renew(key, newOwner, 60_000);
    time.advance(50_000);
    expect(await repos.jobSlots.claim(key, 'e', 60_000)).toBe(false);
    await repos.jobSlots.complete(key, newOwner);
    expect(await repos.jobSlots.isComplete(key)).toBe(true);
    time.advance(61_000);
    expect(await repos.jobSlots.claim(key, 'd', 60_000)).toBe(false);
  });
});
