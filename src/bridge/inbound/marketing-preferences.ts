import type { ConsentLedger } from '../../domain/consent-event';
import type { Logger } from '../../logger';
import type { WhatsAppGateway } from '../../whatsapp/gateway';

const EVIDENCE = {
  stop: 'WhatsApp reported that the contact stopped marketing messages from this business (in WhatsApp itself)',
  resume: 'WhatsApp reported that the contact resumed marketing messages from this business (in WhatsApp itself)',
};

/**
 * A contact's marketing preference set in WhatsApp itself (Cloud API `user_preferences`, or a send
 * refused with 131050) becomes a consent-ledger entry. It does NOT change the contact's consent
 * status: it speaks of marketing messages only, not of the conversation, so replies to their
 * questions still go; marketing sends read it from the ledger. Keyed, so a redelivered webhook
 * writes the entry once.
 */
export function startMarketingPreferences(deps: { gateway: WhatsAppGateway; ledger: ConsentLedger; logger: Logger }): () => void {
  return deps.gateway.on((event) => {
    if (event.type !== 'marketing_preference') return;
    const type = event.preference === 'stop' ? 'marketing_stopped' : 'marketing_resumed';
    const entry = {
      contact: event.from,
      type,
      source: 'whatsapp:marketing_preference',
      actor: 'contact',
      evidence: EVIDENCE[event.preference],
      at: event.at,
      key: `${type}:${event.from}:${event.at.getTime()}`,
    } as const;
    deps.ledger.appendOnce([entry]).catch((err: unknown) => deps.logger.warn({ err, contact: event.from, preference: event.preference }, 'could not record a marketing preference in the consent ledger'));
  });
}
