import type { AppDeps } from '../../../app-deps';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/**
 * `/wa forget <phone>` (leads): erases a contact — their profile, every message both ways, held
 * files, and our own posts of their messages in Slack — and keeps only a hashed suppression entry
 * so the number stays opted out; the same under their other WhatsApp id (`@lid`), when known.
 * Consent ledger entries are kept: they are the record of why
 * messages were or were not sent (README → Consent → Erasure).
 */
export function forgetSubcommand(deps: Pick<AppDeps, 'repos' | 'clock' | 'config' | 'privacy'>): Subcommand {
  return {
    name: 'forget',
    usage: '/wa forget <phone>',
    summary: "erase a contact's personal data and messages; the number stays opted out",
    leadOnly: true,
    async run({ rest, respond, client, userId, log }) {
      const contact = await contactByPhone(deps.repos.contacts, rest, deps.config.phoneDefaultCountry);
      const name = escapeMrkdwn(contactDisplayName(contact));
      const at = deps.clock();
      // The person, under each WhatsApp id they wrote from (their @lid twin, when known).
      const twins = await deps.repos.contacts.twinsOf(contact);
      const posts: Array<{ channel: string; ts: string }> = [];
      const ours: Array<{ channel: string; ts: string }> = [];
      // Twins first: one known only by its @lid cannot be found by phone if the erasure stops halfway.
      for (const one of [...twins, contact]) {
        const theirs = await deps.repos.messages.eraseContact(one.waId);
        await deps.repos.consentLedger.append({ contact: one.waId, type: 'erased', source: 'slack:command', actor: userId, evidence: 'personal data erased on request', at });
        await deps.repos.contacts.erase(one.waId, at, userId);
        await deps.repos.audit.record({ actor: userId, action: 'forget', args: { contact: deps.privacy.pseudonym(one.waId) }, outcome: 'ok', at });
        posts.push(...theirs);
        // Our own posts can go too: the card and the mirrored messages.
        ours.push(...(one.slack ? [{ channel: one.slack.channel, ts: one.slack.threadTs }] : []), ...theirs);
      }
      // Best effort, one by one.
      let deleted = 0;
      for (const post of ours) {
        await client.chat.delete({ channel: post.channel, ts: post.ts }).then(
          () => deleted++,
          (err: unknown) => log.warn({ err }, 'could not delete a mirrored post during erasure'),
        );
      }
      await respond({
        response_type: 'ephemeral',
        text:
          `:wastebasket: ${name}'s data is erased${twins.length ? ' (under both their WhatsApp ids)' : ''}: profile, ${posts.length} mirrored message${posts.length === 1 ? '' : 's'} and any held files; ` +
          `${deleted} of our posts were deleted from Slack. The number stays opted out. Replies agents wrote in the thread remain — delete them in Slack if needed.`,
      });
    },
  };
}
