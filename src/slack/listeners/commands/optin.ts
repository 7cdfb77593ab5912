import type { AppDeps } from '../../../app-deps';
import { pendingConsent } from '../../../consent/pending-consent';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/**
 * `/wa optin <phone>`: sends the explicit opt-in question and records the request as pending; only
 * the contact's YES makes it consent. Never sent to someone who opted out: only they can undo that.
 */
export function optinSubcommand(deps: Pick<AppDeps, 'repos' | 'config' | 'clock' | 'bridge'>): Subcommand {
  return {
    name: 'optin',
    usage: '/wa optin <phone>',
    summary: 'ask a contact to opt in (they must reply YES)',
    async run({ rest, respond, userId }) {
      const contact = await contactByPhone(deps.repos.contacts, rest, deps.config.phoneDefaultCountry);
      const name = contactDisplayName(contact);
      const { status, since, source } = contact.consent;
      const say = (text: string) => respond({ response_type: 'ephemeral', text });
      if (status === 'opted_out') {
        const when = since ? ` on ${since.toISOString().slice(0, 10)}` : '';
        return void (await say(`:no_entry_sign: ${name} opted out${when} via ${escapeMrkdwn(source ?? 'an unknown source')}; only they can opt in again, by replying START. Nothing was sent.`));
      }
      if (status === 'opted_in') return void (await say(`${name} has already opted in.`));
      if (status === 'pending') return void (await say(`${name} already has an opt-in request waiting for their YES.`));
      const at = deps.clock();
      const wording = deps.config.bridge.optInRequest;
      await deps.repos.consentLedger.append({ contact: contact.waId, type: 'opt_in_requested', source: 'slack:command', actor: userId, evidence: wording, at });
      await deps.repos.contacts.setConsent(contact.waId, pendingConsent(contact.consent, at, 'slack:/wa optin'));
      await deps.repos.messages.recordOutbound({ contactWaId: contact.waId, body: wording, purpose: 'opt_in_request', at, state: 'pending' });
      await deps.repos.audit.record({ actor: userId, action: 'opt_in_request', args: { contact: contact.waId }, outcome: 'ok', at });
      deps.bridge.wakeOutbound(contact.waId);
      await say(`:hourglass_flowing_sand: Opt-in request sent to ${name}: “${escapeMrkdwn(wording)}” Their consent counts once they reply YES.`);
    },
  };
}
