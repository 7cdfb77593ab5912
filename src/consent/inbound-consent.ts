import type { Clock } from '../clock';
import type { Contact, ContactRepository } from '../domain/contact';
import type { ConsentLedger } from '../domain/consent-event';
import type { MessageRepository } from '../domain/message';
import { escapeMrkdwn } from '../slack/mrkdwn';
import type { ConsentKeyword } from './keywords';
import { recordOptOut } from './record-opt-out';

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
  clock: Clock;
}

/**
 * Consent keywords a contact sends. The whole message must be the keyword (see keywords.ts).
 * Returns the banner to show with the message in Slack, if the message changed consent.
 * Idempotent by state: a repeated STOP does not send a second confirmation.
 */
export function inboundConsent(deps: InboundConsentDeps): (contact: Contact, text: string) => Promise<string | undefined> {
  return async (contact, text) => {
    const keyword = deps.classify(text);
    if (!keyword) return undefined;
    const at = deps.clock();
    const said = text.trim();
    const entry = (type: 'opt_in_requested' | 'opt_in_confirmed') =>
      deps.ledger.append({ contact: contact.waId, type, source: 'whatsapp:keyword', actor: 'contact', evidence: said, at });
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
      await entry('opt_in_requested');
      await deps.contacts.setConsent(contact.waId, { status: 'pending', since: at, source: `keyword:${said.toUpperCase()}`, before: status });
      await deps.messages.recordOutbound({ contactWaId: contact.waId, body: deps.wording.optInRequest, purpose: 'opt_in_request', at, state: 'pending' });
      return `:hourglass_flowing_sand: Asked to subscribe again (“${escapeMrkdwn(said)}”); an opt-in request was sent. Consent counts only after they reply YES.`;
    }
    // confirm: YES counts only as the answer to a pending request.
    if (status !== 'pending') return undefined;
    await entry('opt_in_confirmed');
    await deps.contacts.setConsent(contact.waId, { status: 'opted_in', since: at, source: `reply:${said.toUpperCase()}` });
    return `:white_check_mark: *Opted in* by replying “${escapeMrkdwn(said)}” to the opt-in request.`;
  };
}
