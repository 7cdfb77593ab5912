import type { AppDeps } from '../../../app-deps';
import { recordOptOut } from '../../../consent/record-opt-out';
import { e164ToWaId, toE164 } from '../../../domain/phone';
import { AppError, isAppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/**
 * `/wa optout <phone> [reason]`: records an opt-out the contact asked for some other way. A number
 * that never wrote is kept as a suppression (a keyed hash) with its ledger entry, so it starts
 * opted out when it first writes: an opt-out by phone or e-mail is never lost for want of a contact.
 */
export function optoutSubcommand(deps: Pick<AppDeps, 'repos' | 'config' | 'clock' | 'bridge' | 'privacy'>): Subcommand {
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
      const typed = phoneWords.join(' ');
      const contact = await contactByPhone(deps.repos.contacts, typed, deps.config.phoneDefaultCountry).catch((err: unknown) => {
        if (isAppError(err, 'CONTACT_NOT_FOUND')) return undefined;
        if (isAppError(err, 'CONTACT_SUPPRESSED')) throw new AppError('CONTACT_SUPPRESSED', err.message.replace(/^(\S+) has never written to us; it was recorded/, '$1 is already recorded'));
        throw err;
      });
      const at = deps.clock();
      if (!contact) {
        const e164 = toE164(typed, deps.config.phoneDefaultCountry);
        const waId = e164ToWaId(e164);
        await deps.repos.consentLedger.append({ contact: waId, type: 'opt_out', source: 'slack:command', actor: userId, evidence: reason || '/wa optout (before the first message)', at });
        await deps.repos.contacts.suppress(waId, { reason: 'opted_out', at, by: userId });
        await deps.repos.audit.record({ actor: userId, action: 'opt_out', args: { contact: deps.privacy.pseudonym(waId), before: 'first_message' }, outcome: 'ok', at });
        return void (await respond({ response_type: 'ephemeral', text: `:no_entry: ${e164} has never written to us; its opt-out is recorded, so it starts opted out if it ever writes. Nothing will be sent to it.` }));
      }
      const done = await recordOptOut(
        { contacts: deps.repos.contacts, ledger: deps.repos.consentLedger, messages: deps.repos.messages, confirmation: deps.config.bridge.optOutConfirmation },
        contact,
        { source: 'slack:command', actor: userId, evidence: reason || '/wa optout', statusSource: 'slack:/wa optout', at },
      );
      const name = contactDisplayName(contact);
      if (!done) return void (await respond({ response_type: 'ephemeral', text: `${name} is already opted out (${escapeMrkdwn(contact.consent.source ?? 'unknown source')}).` }));
      await deps.repos.audit.record({ actor: userId, action: 'opt_out', args: { contact: contact.waId, reason }, outcome: 'ok', at });
      deps.bridge.wakeOutbound(contact.waId);
      await respond({ response_type: 'ephemeral', text: `:no_entry: ${name} is opted out; they get one message confirming it, and nothing after.` });
    },
  };
}
