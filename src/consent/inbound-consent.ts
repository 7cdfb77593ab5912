import type { Clock } from '../clock';
import type { Contact, ContactRepository } from '../domain/contact';
import type { ConsentLedger } from '../domain/consent-event';
import type { MessageRepository } from '../domain/message';
import { escapeMrkdwn } from '../slack/mrkdwn';
import type { ConsentKeyword } from './keywords';
import { answeredOptInRequest, type ConsentMessage } from './opt-in-answer';
import { pendingConsent } from './pending-consent';
import { recordOptOut } from './record-opt-out';

export type { ConsentMessage } from './opt-in-answer';

const DAY = 86_400_000;

export interface ConsentWording {
  /** The one message an opt-out gets. */
  optOutConfirmation: string;
  /** Sent when an opted-out contact writes START: consent needs their explicit YES. */
  optInRequest: string;
}

export interface InboundConsentDeps {
  contacts: ContactRepository;
  ledger: ConsentLedger;
  messages: MessageRepository;
  classify: (text: string) => ConsentKeyword | null;
  wording: ConsentWording;
  /** An unquoted YES confirms the opt-in request only as the contact's first message this soon after it went out. */
  answerWindowMs: number;
  /**
   * OPT_IN_EXPIRY_DAYS in ms: a YES written longer than this after consent became pending answers a
   * request that has expired, even before the daily job has said so. Unset: only the job expires requests.
   */
  optInExpiryMs?: number;
  clock: Clock;
}

/**
 * Consent keywords a contact sends. The whole message must be the keyword (see keywords.ts), and a
 * YES counts only as the answer to the opt-in request (see opt-in-answer.ts). Returns the banner to
 * show with the message in Slack, if the message changed consent. Idempotent by state: a repeated
 * STOP does not send a second confirmation.
 */
export function inboundConsent(deps: InboundConsentDeps): (contact: Contact, message: ConsentMessage) => Promise<string | undefined> {
  return async (contact, message) => {
    const keyword = deps.classify(message.text);
    if (!keyword) return undefined;
    const at = deps.clock();
    const said = message.text.trim();
    const status = contact.consent.status;

    if (keyword === 'opt_out') {
      const how = { source: 'whatsapp:keyword', actor: 'contact', evidence: said, statusSource: `keyword:${said.toUpperCase()}`, at };
      if (!(await recordOptOut({ ...deps, confirmation: deps.wording.optOutConfirmation }, contact, how))) {
        return `:no_entry: Already opted out; “${escapeMrkdwn(said)}” changes nothing.`;
      }
      return `:no_entry: *Opted out* by replying “${escapeMrkdwn(said)}”. Nothing more will be sent to this contact; they were told how to subscribe again.`;
    }
    if (keyword === 'resubscribe') {
      if (status === 'opted_in' || status === 'pending') return undefined;
      await deps.ledger.append({ contact: contact.waId, type: 'opt_in_requested', source: 'whatsapp:keyword', actor: 'contact', evidence: said, at });
      await deps.contacts.setConsent(contact.waId, pendingConsent(contact.consent, at, `keyword:${said.toUpperCase()}`));
      await deps.messages.recordOutbound({ contactWaId: contact.waId, body: deps.wording.optInRequest, purpose: 'opt_in_request', at, state: 'pending' });
      return `:hourglass_flowing_sand: Asked to subscribe again (“${escapeMrkdwn(said)}”); an opt-in request was sent. Consent counts only after they reply YES.`;
    }
    if (status !== 'pending') return undefined;
    const answer = await answeredOptInRequest(deps, contact, message);
    if (!answer) return undefined;
    // Judged by when they wrote it (a YES brought in late by the catch-up was still in time), with
    // the daily job's rule: pending for longer than the expiry.
    const pendingSince = contact.consent.since;
    if (deps.optInExpiryMs !== undefined && pendingSince && message.at.getTime() - pendingSince.getTime() > deps.optInExpiryMs) {
      const days = Math.round(deps.optInExpiryMs / DAY);
      return `:hourglass: “${escapeMrkdwn(said)}” came after the opt-in request expired (no YES within ${days} day${days === 1 ? '' : 's'}): not opted in. They can write START to be asked again.`;
    }
    const to = answer.how === 'quoted' ? 'quoting it' : 'their first message after it';
    // Their message's own time, not when it was handled: what they wrote after it (brought in by the
    // catch-up, say) is their reply since opting in, and the no-reply rule must see it so.
    const confirmedAt = message.at;
    // Keyed on their message: handled twice (a retry), it is written once. Written before the
    // status, so a crash in between cannot leave consent without its evidence.
    await deps.ledger.appendOnce([
      { key: `opt_in_confirmed:${message.waMessageId}`, contact: contact.waId, type: 'opt_in_confirmed', source: 'whatsapp:keyword', actor: 'contact', evidence: `${said} (answer to opt-in request ${answer.requestWaMessageId}, ${to})`, at: confirmedAt },
    ]);
    // Only from pending: an opt-out that got in first (an agent's button, say) is never undone.
    const changed = await deps.contacts.changeConsent(contact.waId, ['pending'], { status: 'opted_in', since: confirmedAt, source: `reply:${said.toUpperCase()}` });
    return changed ? `:white_check_mark: *Opted in* by replying “${escapeMrkdwn(said)}” to the opt-in request.` : undefined;
  };
}
