import type { AppDeps } from '../../../app-deps';
import { isAppError } from '../../../errors';
import { eraseContact, finishErasure, type ErasureReport } from '../../../privacy/erase-contact';
import type { ThreadCleanup } from '../../../privacy/slack-cleanup';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhoneOrWaId, typedWaId } from './contact-lookup';
import type { Subcommand } from './subcommand';

/**
 * `/wa forget <phone|WhatsApp id>` (leads): erases a contact (see privacy/erase-contact.ts); the
 * number stays opted out. The same under their other WhatsApp id (`@lid`), when known. Run again
 * on a number whose erasure Slack partly refused, it finishes the Slack part.
 */
export function forgetSubcommand(deps: Pick<AppDeps, 'repos' | 'clock' | 'config' | 'privacy'>): Subcommand {
  return {
    name: 'forget',
    usage: '/wa forget <phone | WhatsApp id>',
    summary: "erase a contact's personal data and messages; the number stays opted out",
    leadOnly: true,
    async run({ rest, respond, client, userId, log }) {
      const contact = await contactByPhoneOrWaId(deps.repos.contacts, rest, deps.config.phoneDefaultCountry).catch(async (err: unknown) => {
        if (!isAppError(err, 'CONTACT_ERASED')) throw err;
        const { waId, shown } = typedWaId(rest, deps.config.phoneDefaultCountry);
        const finished = await finishErasure(deps, client, waId, log);
        if (!finished) throw err;
        await respond({ response_type: 'ephemeral', text: finishedText(shown, rest.trim(), finished) });
        return null;
      });
      if (!contact) return;
      const name = contactDisplayName(contact);
      const report = await eraseContact(deps, client, contact, userId, log);
      await respond({ response_type: 'ephemeral', text: erasureText(name, report, rest.trim()) });
    },
  };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/**
 * What the lead who erased is told (`name` as mrkdwn): what went, what is left in Slack for a person
 * to delete, and — when Slack refused part of it — the command that finishes it (`typed`: how the
 * contact was named; unset from a button, where the thread's shortcut or the number does it).
 */
export function erasureText(name: string, report: ErasureReport, typed?: string): string {
  const { slack } = report;
  return [
    `:wastebasket: ${name}'s data is erased${report.ids > 1 ? ' (under both their WhatsApp ids)' : ''}: profile, ${plural(report.messages, 'message')} and held files, conversation history; ` +
      `the consent ledger and audit log keep only a pseudonym. ${plural(slack.deletedPosts, 'post')} and ${plural(slack.deletedFiles, 'file')} of ours were deleted from Slack. The number stays opted out.`,
    ...leftInSlack(slack, typed),
  ].join('\n');
}

/** The answer to `/wa forget` run again on a number whose erasure Slack had partly refused. */
function finishedText(shown: string, typed: string, slack: ThreadCleanup): string {
  const head = slack.failed === 0 ? `:wastebasket: Finished erasing ${shown} in Slack: ` : `:warning: Still erasing ${shown} in Slack: `;
  return [`${head}${plural(slack.deletedPosts, 'post')} and ${plural(slack.deletedFiles, 'file')} of ours deleted this time.`, ...leftInSlack(slack, typed)].join('\n');
}

function leftInSlack(slack: ThreadCleanup, typed?: string): string[] {
  const lines: string[] = [];
  if (slack.othersLeft.length > 0) {
    const links = slack.othersLeft.slice(0, 40).map((link, i) => `<${link}|${i + 1}>`).join(' · ');
    lines.push(`${plural(slack.othersLeft.length, 'message')} agents wrote in the thread stay in Slack; only their authors or an admin can delete them: ${links}${slack.othersLeft.length > 40 ? ' …' : ''}`);
  }
  if (slack.failed > 0) {
    const again = typed ? `\`/wa forget ${escapeMrkdwn(typed)}\`` : '`/wa forget` with their number or WhatsApp id';
    lines.push(`:warning: Slack would not delete ${slack.failed} of our posts or files (${escapeMrkdwn(slack.error ?? 'unknown error')}). Run ${again} again to finish.`);
  }
  return lines;
}
