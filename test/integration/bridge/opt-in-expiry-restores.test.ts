import { checkConsent } from '../../../src/consent/consent-gate';
import { inboundConsent } from '../../../src/consent/inbound-consent';
import { createKeywordClassifier, defaultKeywordLists } from '../../../src/consent/keywords';
import { manualClock } from '../../support/bridge-helpers';
import { useTestDb } from '../../support/mongo';
import { useRepositories } from '../../support/repositories';

const ANA = '447911123456@c.us';
const DAY = 86_400_000;
const EXPIRY_DAYS = 7;
let seq = 0;

/**
 * An opt-in request that expires unanswered puts consent back exactly as it was: someone who opted
 * out is refused with the date and the way they opted out, not with the day the request lapsed.
 */
describe('an expired opt-in request restores the consent from before it', () => {
  const db = useTestDb();
  const time = manualClock('2026-11-01T10:00:00Z');
  const repos = useRepositories(db, time.clock, ['contacts', 'messages', 'consent_events', 'suppressions']);
  const consent = () =>
    inboundConsent({
      contacts: repos.contacts,
      ledger: repos.consentLedger,
      messages: repos.messages,
      classify: createKeywordClassifier(defaultKeywordLists()),
      wording: { optOutConfirmation: 'Unsubscribed.', optInRequest: 'Reply YES to receive messages from us again.' },
      answerWindowMs: DAY,
      optInExpiryMs: EXPIRY_DAYS * DAY,
      clock: time.clock,
    });

  async function anaWrites(text: string) {
    const waMessageId = `false_${ANA}_IN${++seq}`;
    await repos.contacts.recordInbound({ waId: ANA, at: time.clock() });
    await repos.messages.recordInbound({ waMessageId, contactWaId: ANA, kind: 'text', body: text, at: time.clock() });
    return consent()((await repos.contacts.findByWaId(ANA))!, { text, waMessageId, at: time.clock() });
  }
  /** What the daily job does: expire requests pending for longer than the expiry. */
  const expiryRun = () => repos.hygiene.expirePendingOptIns(new Date(time.clock().getTime() - EXPIRY_DAYS * DAY), time.clock());
  const ana = async () => (await repos.contacts.findByWaId(ANA))!;

  it('when a contact who opted out writes START and never answers YES, then after expiry a reply is refused quoting the original opt-out date and source', async () => {
    const optedOutAt = time.clock();
    expect(await anaWrites('STOP')).toMatch(/Opted out/);
    time.advance(10 * DAY);
    expect(await anaWrites('START')).toMatch(/opt-in request was sent/);
    time.advance((EXPIRY_DAYS + 1) * DAY);

    expect(await expiryRun()).toEqual({ expired: 1 });
    expect((await ana()).consent).toEqual({ status: 'opted_out', since: optedOutAt, source: 'keyword:STOP' });
    const decision = checkConsent(await ana(), 'reply');
    expect(decision).toEqual({ allowed: false, reason: 'the contact opted out on 2026-11-01 via keyword:STOP; not sent' });
    // The ledger still says the request expired, and when.
    const expired = (await repos.consentLedger.listForContact(ANA)).filter((e) => e.type === 'opt_in_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.at).toEqual(time.clock());
  });

  it('when a request recorded before requests kept the old date expires, then the date and source come from the ledger\'s opt-out', async () => {
    const optedOutAt = time.clock();
    await repos.contacts.recordInbound({ waId: ANA, at: optedOutAt });
    await repos.consentLedger.append({ contact: ANA, type: 'opt_out', source: 'slack:/wa optout', actor: 'U1', evidence: 'asked by phone', at: optedOutAt });
    time.advance(3 * DAY);
    await repos.contacts.setConsent(ANA, { status: 'pending', since: time.clock(), source: 'keyword:START', before: 'opted_out' }); // no date or source kept
    time.advance((EXPIRY_DAYS + 1) * DAY);

    expect(await expiryRun()).toEqual({ expired: 1 });
    expect((await ana()).consent).toEqual({ status: 'opted_out', since: optedOutAt, source: 'slack:/wa optout' });
  });

  it('when a contact with no consent yet lets a request expire, then they are back to unknown and the request\'s lapse is what the status says', async () => {
    await repos.contacts.recordInbound({ waId: ANA, at: time.clock() });
    await repos.contacts.setConsent(ANA, { status: 'pending', since: time.clock(), source: 'slack:/wa optin', before: 'unknown' });
    time.advance((EXPIRY_DAYS + 1) * DAY);
    expect(await expiryRun()).toEqual({ expired: 1 });
    expect((await ana()).consent).toEqual({ status: 'unknown', since: time.clock(), source: 'opt-in request expired' });
  });
});
