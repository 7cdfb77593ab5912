import type { Contact } from '../domain/contact';
import type { OutboundPurpose } from '../domain/message';

export type GateDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * How a consent source is named in a reason. A keyword source carries the contact's punctuation
 * round the word (`keyword:*STOP*&`): Slack's markup characters are dropped, so a reason is plain
 * words, safe in mrkdwn, plain text and logs alike.
 */
const sourceWords = (source: string) => source.replace(/[<>&*_~`|]/g, '');

/**
 * The one place that decides whether anything may be sent to a contact. Every outbound path —
 * thread replies, quick replies, broadcasts — asks it (through `checkPersonConsent` in twins.ts,
 * which adds the person's other WhatsApp id) when the message is queued and again right before it
 * is sent (consent may change while it waits).
 *
 * An opted-out contact gets nothing but the single confirmation of their opt-out. An opt-in request
 * goes only to a contact whose request is pending (they asked with START, or a lead sent one); a
 * broadcast only to a contact who confirmed their opt-in.
 *
 * A reason never names the contact: it is shown in their thread (where the card names them), stored
 * with the refused message and logged, and their name is whatever they typed on WhatsApp.
 */
export function checkConsent(contact: Contact, purpose: OutboundPurpose): GateDecision {
  const { status, since, source } = contact.consent;
  if (status === 'opted_out') {
    if (purpose === 'opt_out_confirmation') return { allowed: true };
    const when = since ? ` on ${since.toISOString().slice(0, 10)}` : '';
    return { allowed: false, reason: `the contact opted out${when} via ${source ? sourceWords(source) : 'an unknown source'}; not sent` };
  }
  if (purpose === 'opt_out_confirmation') return { allowed: false, reason: 'not opted out; no opt-out confirmation to send' };
  if (purpose === 'opt_in_request' && status !== 'pending') return { allowed: false, reason: `consent is ${status}, not pending; no opt-in request sent` };
  // A broadcast is the proactive message consent exists for: only a confirmed opt-in (their YES).
  if (purpose === 'broadcast' && status !== 'opted_in') return { allowed: false, reason: `broadcasts go only to confirmed opt-ins; consent is ${status}; not sent` };
  return { allowed: true };
}
