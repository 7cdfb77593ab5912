import { trusted } from 'mongoose';
import type { Consent, Contact } from '../../domain/contact';
import type { ConsentLedger } from '../../domain/consent-event';
import type { HygieneRepository, ReportFigures } from '../../domain/hygiene';
import type { Models } from '../models';

type ContactDoc = Omit<Contact, 'id'> & { _id: { toString(): string } };
type Counted = { _id: string | null; n: number };
/** The source of the opt-out entry a person's other WhatsApp id gets (see consent/twins.ts). */
const ALIAS_SOURCE = 'whatsapp:alias';

/**
 * List hygiene as set-based writes: each rule is one updateMany whose filter is the rule, so the
 * cost in round trips is the same for ten contacts or a million, and a rerun finds nothing left to do.
 */
export function createHygieneRepository(models: Models, ledger: ConsentLedger): HygieneRepository {
  const { Contact: model } = models;
  const active = { 'activity.status': { $eq: 'active' as const } };

  /**
   * Each contact's last opt-out not followed by a confirmed opt-in, from the ledger: how requests
   * from before they remembered the old state (`consent.before`, `beforeSince`) are judged.
   */
  async function lastOptOuts(waIds: string[]): Promise<Map<string, { at: Date; source: string }>> {
    if (waIds.length === 0) return new Map();
    const last = await models.ConsentEvent.aggregate<{ _id: string; type: string; at: Date; source: string }>([
      { $match: { contact: { $in: waIds }, type: { $in: ['opt_out', 'opt_in_confirmed'] } } },
      { $sort: { at: -1, _id: -1 } },
      { $group: { _id: '$contact', type: { $first: '$type' }, at: { $first: '$at' }, source: { $first: '$source' } } },
    ]);
    return new Map(last.filter((row) => row.type === 'opt_out').map((row) => [row._id, { at: row.at, source: row.source }]));
  }

  /**
   * The consent each expiring request gives back: exactly what it replaced (status, date, source),
   * so a refusal quotes the real opt-out. Someone who had opted out stays out; anyone else goes
   * back to unknown, stamped with the lapse when there was nothing to restore.
   */
  async function restoredConsent(pending: Array<Pick<Contact, 'waId' | 'consent'>>, now: Date): Promise<Map<string, Consent>> {
    const unrecorded = (c: Pick<Contact, 'consent'>) => !c.consent.before || (c.consent.before === 'opted_out' && !c.consent.beforeSince);
    const ledger = await lastOptOuts(pending.filter(unrecorded).map((c) => c.waId));
    return new Map(
      pending.map(({ waId, consent: c }) => {
        const fromLedger = c.before === undefined || c.before === 'opted_out' ? ledger.get(waId) : undefined;
        const status = c.before === 'opted_out' || (!c.before && fromLedger) ? 'opted_out' : 'unknown';
        const since = c.beforeSince ?? (status === 'opted_out' ? fromLedger?.at : undefined) ?? now;
        const source = c.beforeSource ?? (status === 'opted_out' ? fromLedger?.source : undefined) ?? 'opt-in request expired';
        return [waId, { status, since, source }];
      }),
    );
  }

  return {
    async flagInactive({ inactiveBefore, inactiveDays, optedInBefore, noReplyDays, now }) {
      const noMessage = await model.updateMany(
        {
          ...active,
          $or: [
            { lastInboundAt: trusted({ $lt: inactiveBefore }) },
            // Never wrote at all (e.g. imported): judged by when we first knew them.
            { lastInboundAt: trusted({ $exists: false }), createdAt: trusted({ $lt: inactiveBefore }) },
          ],
        },
        { $set: { activity: { status: 'inactive', reason: `no message for ${inactiveDays} days`, since: now } } },
      );
      const noReply = await model.updateMany(
        {
          ...active,
          'consent.status': { $eq: 'opted_in' },
          'consent.since': trusted({ $lt: optedInBefore }),
          // The confirming YES is stamped with the opt-in time, so "nothing since" is ≤, not <.
          $or: [{ lastInboundAt: trusted({ $exists: false }) }, { $expr: trusted({ $lte: ['$lastInboundAt', '$consent.since'] }) }],
        },
        { $set: { activity: { status: 'inactive', reason: `no reply within ${noReplyDays} days of opting in`, since: now } } },
      );
      return { noMessage: noMessage.modifiedCount, noReply: noReply.modifiedCount };
    },

    async expirePendingOptIns(requestedBefore, now) {
      const stale = { 'consent.status': { $eq: 'pending' as const }, 'consent.since': trusted({ $lt: requestedBefore }) };
      const expiring = await model.find(stale, { waId: 1, consent: 1 }).lean<Array<Pick<Contact, 'waId' | 'consent'>>>();
      // The ledger first, keyed by request: after a crash between these steps the next run finds the
      // same contacts still pending, and their entries are not written twice.
      await ledger.appendOnce(
        expiring.map((c) => ({
          contact: c.waId,
          type: 'opt_in_expired' as const,
          source: 'job:expire-opt-ins',
          actor: 'system',
          evidence: `no YES to the opt-in request of ${c.consent.since?.toISOString() ?? 'an unknown date'}`,
          at: now,
          key: `opt_in_expired:${c.waId}:${c.consent.since?.toISOString() ?? ''}`,
        })),
      );
      if (expiring.length === 0) return { expired: 0 };
      // Back to what it was before the request, one round trip for all. Each only if still this
      // request: a YES or a new request that got in meanwhile is never undone.
      const restored = await restoredConsent(expiring, now);
      const res = await model.bulkWrite(
        expiring.map((c) => ({
          updateOne: { filter: { waId: { $eq: c.waId }, 'consent.status': { $eq: 'pending' }, 'consent.since': { $eq: c.consent.since } }, update: { $set: { consent: restored.get(c.waId)! } } },
        })),
        { ordered: false },
      );
      return { expired: res.modifiedCount };
    },

    async archiveInactive(now, actor) {
      const res = await model.updateMany(
        { 'activity.status': { $eq: 'inactive' } },
        // `activity.since` is kept: when the contact stopped being active (was flagged). The report's
        // "newly inactive" counts by it, so a contact flagged and archived in one period still counts.
        // When and by whom it was archived is in the audit log.
        { $set: { 'activity.status': 'archived', 'activity.reason': `archived by ${actor}` } },
      );
      return res.modifiedCount;
    },

    countInactive() {
      return model.countDocuments({ 'activity.status': { $eq: 'inactive' } });
    },

    async *streamInactive() {
      const cursor = model.find({ 'activity.status': { $eq: 'inactive' } }).sort({ _id: 1 }).lean<ContactDoc[]>().cursor();
      for await (const doc of cursor) {
        const { _id, ...rest } = doc as ContactDoc;
        yield { ...rest, id: _id.toString(), labels: rest.labels ?? [] } as Contact;
      }
    },

    async figures({ from, to }) {
      // Six independent reads, sent at once: a fixed number of round trips and one round trip of
      // latency. (Not one $facet: it copies every contact once per facet before grouping.) Periods
      // are (from, to]: what happens at the very moment of a report belongs to that report, once.
      const notArchived = { $match: { 'activity.status': { $ne: 'archived' } } };
      const [activityRows, consentRows, labelRows, newlyInactive, optedOutInPeriod, expiredInPeriod] = await Promise.all([
        model.aggregate<Counted>([{ $group: { _id: '$activity.status', n: { $sum: 1 } } }]),
        model.aggregate<Counted>([notArchived, { $group: { _id: '$consent.status', n: { $sum: 1 } } }]),
        model.aggregate<Counted>([notArchived, { $unwind: '$labels' }, { $group: { _id: '$labels', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }, { $limit: 5 }]),
        model.countDocuments({ 'activity.status': trusted({ $in: ['inactive', 'archived'] }), 'activity.since': trusted({ $gt: from, $lte: to }) }),
        // Opt-outs, not ids: the entry written for a person's other WhatsApp id (twins.ts, source
        // "whatsapp:alias") records the same opt-out there, so it is not counted again.
        models.ConsentEvent.countDocuments({ type: { $eq: 'opt_out' }, source: trusted({ $ne: ALIAS_SOURCE }), at: trusted({ $gt: from, $lte: to }) }),
        ledger.countByType('opt_in_expired', from, to),
      ]);
      const by = (rows: Counted[]) => new Map(rows.map((r) => [r._id, r.n]));
      const activity = by(activityRows);
      const consent = by(consentRows);
      const figures: ReportFigures = {
        total: [...activity.values()].reduce((a, b) => a + b, 0),
        active: activity.get('active') ?? 0,
        inactive: activity.get('inactive') ?? 0,
        archived: activity.get('archived') ?? 0,
        optedIn: consent.get('opted_in') ?? 0,
        optedOut: consent.get('opted_out') ?? 0,
        pending: consent.get('pending') ?? 0,
        newlyInactive,
        optedOutInPeriod,
        expiredInPeriod,
        consentRate: 0,
      };
      const listed = figures.total - figures.archived;
      figures.consentRate = listed === 0 ? 0 : Math.round((figures.optedIn / listed) * 1000) / 10;
      return { figures, topLabels: labelRows.map((r) => ({ label: String(r._id), count: r.n })) };
    },
  };
}
