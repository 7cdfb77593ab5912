import fc from 'fast-check';
import { ObjectId } from 'bson';
import { inboundConsent } from '../../../src/consent/inbound-consent';
import { createKeywordClassifier, defaultKeywordLists } from '../../../src/consent/keywords';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const START = Date.parse('2026-11-25T10:00:00Z');
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** Where the YES falls, in whole seconds (WhatsApp's resolution): anywhere, or right at an edge. */
const yesPlace = fc.oneof(
  fc.record({ kind: fc.constant('anywhere' as const), s: fc.integer({ min: 0, max: 95 * 86_400 }) }),
  fc.record({ kind: fc.constantFrom('window' as const, 'expiry' as const), s: fc.integer({ min: -2, max: 2 }) }),
);

const scenario = fc.record({
  expiryDays: fc.integer({ min: 1, max: 90 }), // OPT_IN_EXPIRY_DAYS
  windowHours: fc.integer({ min: 1, max: 72 }), // OPT_IN_ANSWER_WINDOW_HOURS
  sentAfterS: fc.integer({ min: 0, max: 600 }), // queued → accepted by WhatsApp
  yes: yesPlace,
  quoted: fc.boolean(),
  processingDelayS: fc.integer({ min: 0, max: 40 * 86_400 }), // written → handled (a catch-up, an outage)
});

/**
 * Points 12 and 13 over random times on the injected clock: a YES is judged and stamped by when the
 * contact wrote it, never by when it was handled. It counts iff it was written before the request
 * expired (OPT_IN_EXPIRY_DAYS from the request) and — unless it quotes the request — within the
 * answer window after WhatsApp accepted the request; the ledger entry and the consent date are its
 * own time.
 */
describe('a YES judged by its own time', () => {
  const db = useTestDb();
  let now = START;
  const repos = useRepositories(db, () => new Date(now), ['contacts', 'messages', 'consent_events']);
  let run = 0;

  it('when a YES is written and handled at any times, then it counts iff written within the window and before expiry, and is stamped with its own time', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ expiryDays, windowHours, sentAfterS, yes, quoted, processingDelayS }) => {
        const waId = `4479220${String(++run).padStart(5, '0')}@c.us`;
        const requestId = `true_${waId}_REQUEST`;
        const expiryMs = expiryDays * DAY;
        const windowMs = windowHours * HOUR;
        now = START;
        const requestedAt = new Date(now);
        await repos.contacts.recordInbound({ waId, at: requestedAt });
        await repos.contacts.setConsent(waId, { status: 'pending', since: requestedAt, source: 'keyword:START', before: 'opted_out' });
        const { message } = await repos.messages.recordOutbound({ contactWaId: waId, body: 'Reply YES', purpose: 'opt_in_request', at: requestedAt, state: 'pending' });
        const sentAt = START + sentAfterS * SECOND;
        await db.db.collection('messages').updateOne({ _id: new ObjectId(message.id) }, { $set: { waMessageId: requestId, sentAt: new Date(sentAt), 'delivery.state': 'sent' } });

        const edge = yes.kind === 'window' ? sentAt + windowMs : yes.kind === 'expiry' ? START + expiryMs : sentAt;
        const yesAt = new Date(Math.max(sentAt, edge + yes.s * SECOND));
        const waMessageId = `false_${waId}_YES`;
        await repos.messages.recordInbound({ waMessageId, contactWaId: waId, kind: 'text', body: 'YES', at: yesAt });
        await repos.contacts.recordInbound({ waId, at: yesAt });
        now = yesAt.getTime() + processingDelayS * SECOND; // handled this much later

        const consent = inboundConsent({
          contacts: repos.contacts,
          ledger: repos.consentLedger,
          messages: repos.messages,
          classify: createKeywordClassifier(defaultKeywordLists()),
          wording: { optOutConfirmation: 'Unsubscribed.', optInRequest: 'Reply YES' },
          answerWindowMs: windowMs,
          optInExpiryMs: expiryMs,
          clock: () => new Date(now),
        });
        const contact = (await repos.contacts.findByWaId(waId))!;
        await consent(contact, { text: 'YES', waMessageId, at: yesAt, ...(quoted ? { quotedId: requestId } : {}) });

        const written = yesAt.getTime();
        const beforeExpiry = written - START <= expiryMs;
        const inWindow = quoted || written - sentAt <= windowMs;
        const after = (await repos.contacts.findByWaId(waId))!.consent;
        const confirmations = (await repos.consentLedger.listForContact(waId)).filter((e) => e.type === 'opt_in_confirmed');
        if (beforeExpiry && inWindow) {
          expect(after).toMatchObject({ status: 'opted_in', since: yesAt });
          expect(confirmations.map((e) => e.at)).toEqual([yesAt]);
        } else {
          expect(after.status).toBe('pending');
          expect(confirmations).toEqual([]);
        }
      }),
      { seed: 22, numRuns: 25 },
    );
  });
});
