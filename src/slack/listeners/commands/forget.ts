import type { AppDeps } from '../../../app-deps';
import { eraseContact, type ErasureReport } from '../../../privacy/erase-contact';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhoneOrWaId } from './contact-lookup';
import type { Subcommand } from './subcommand';

/**
 * `/wa forget <phone|WhatsApp id>` (leads): erases a contact (see privacy/erase-contact.ts); the
 * number stays opted out. The same under their other WhatsApp id (`@lid`), when known.
 */
export function forgetSubcommand(deps: Pick<AppDeps, 'repos' | 'clock' | 'config' | 'privacy'>): Subcommand {
  return {
    name: 'forget',
    usage: '/wa forget <phone | WhatsApp id>',
    summary: "erase a contact's personal data and messages; the number stays opted out",
    leadOnly: true,
    async run({ rest, respond, client, userId, log }) {
      const contact = await contactByPhoneOrWaId(deps.repos.contacts, rest, deps.config.phoneDefaultCountry);
      const name = contactDisplayName(contact);
      const report = await eraseContact(deps, client, contact, userId, log);
      await respond({ response_type: 'ephemeral', text: erasureText(name, report) });
    },
  };
}

/** What the lead who erased is told (`name` as mrkdwn): what went, and what is left in Slack for a person to delete. */
export function erasureText(name: string, report: ErasureReport): string {
  const { slack } = report;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const lines = [
    `:wastebasket: ${name}'s data is erased${report.ids > 1 ? ' (under both their WhatsApp ids)' : ''}: profile, ${plural(report.messages, 'message')} and held files, conversation history; ` +
      `the consent ledger and audit log keep only a pseudonym. ${plural(slack.deletedPosts, 'post')} and ${plural(slack.deletedFiles, 'file')} of ours were deleted from Slack. The number stays opted out.`,
  ];
  if (slack.othersLeft.length > 0) {
    const links = slack.othersLeft.slice(0, 40).map((link, i) => `<${link}|${i + 1}>`).join(' · ');
    lines.push(`${plural(slack.othersLeft.length, 'message')} agents wrote in the thread stay in Slack; only their authors or an admin can delete them: ${links}${slack.othersLeft.length > 40 ? ' …' : ''}`);
  }
  if (slack.incomplete) {
    lines.push(`:warning: Slack refused part of the clean-up (${escapeMrkdwn(slack.incomplete.error)})${slack.incomplete.threadLink ? `: delete what is left <${slack.incomplete.threadLink}|in the thread>` : ''}.`);
  }
  return lines.join('\n');
}
