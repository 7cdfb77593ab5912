import type { AppDeps } from '../../../app-deps';
import { recordOptOut } from '../../../consent/record-opt-out';
import { AppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/** `/wa optout <phone> [reason]`: records an opt-out the contact asked for some other way. */
export function optoutSubcommand(deps: Pick<AppDeps, 'repos' | 'config' | 'clock' | 'bridge'>): Subcommand {
  return {
    name: 'optout',
    usage: '/wa optout <phone> [reason]',
    summary: 'opt a contact out (they get one confirmation)',
    async run({ args, respond, userId }) {
      // The number may be typed with spaces: take words while they still read as part of it.
      const split = args.findIndex((a, i) => i > 0 && !/^[\d().-]+$/.test(a));
      const phoneWords = split === -1 ? args : args.slice(0, split);
      const reason = (split === -1 ? [] : args.slice(split)).join(' ').slice(0, 500);
      if (phoneWords.length === 0) throw new AppError('BAD_ARGUMENTS', 'Say whose opt-out to record: a phone number.');
      const contact = await contactByPhone(deps.repos.contacts, phoneWords.join(' '), deps.config.phoneDefaultCountry);
      const at = deps.clock();
      const done = await recordOptOut(
        { contacts: deps.repos.contacts, ledger: deps.repos.consentLedger, messages: deps.repos.messages, confirmation: deps.config.bridge.optOutConfirmation },
        contact,
        { source: 'slack:command', actor: userId, evidence: reason || '/wa optout', statusSource: 'slack:/wa optout', at },
      );
      const name = escapeMrkdwn(contactDisplayName(contact));
      if (!done) return void (await respond({ response_type: 'ephemeral', text: `${name} is already opted out (${escapeMrkdwn(contact.consent.source ?? 'unknown source')}).` }));
      await deps.repos.audit.record({ actor: userId, action: 'opt_out', args: { contact: contact.waId, reason }, outcome: 'ok', at });
      deps.bridge.wakeOutbound(contact.waId);
      await respond({ response_type: 'ephemeral', text: `:no_entry: ${name} is opted out; they get one message confirming it, and nothing after.` });
    },
  };
}
