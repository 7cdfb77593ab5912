import type { AppDeps } from '../../../app-deps';
import type { InboxView } from '../../../domain/conversation';
import { AppError } from '../../../errors';
import { contactDisplayName, conversationLine } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';

const VIEWS: readonly InboxView[] = ['mine', 'unassigned', 'open', 'pending'];
const PAGE = 10;

/**
 * `/wa inbox [mine|unassigned|open|pending] [page]`: the queue, open conversations first, the
 * customer who has waited longest first (then pending and snoozed ones), each with its status,
 * assignee and a link to its thread.
 */
export function inboxSubcommand(deps: Pick<AppDeps, 'repos'>): Subcommand {
  return {
    name: 'inbox',
    usage: '/wa inbox [mine|unassigned|open|pending] [page]',
    summary: 'the conversations waiting, oldest first, with links to their threads',
    async run({ args, respond, userId, client }) {
      const view = (args[0]?.toLowerCase() ?? 'open') as InboxView;
      if (!VIEWS.includes(view)) throw new AppError('BAD_ARGUMENTS', `Say which conversations: \`mine\`, \`unassigned\`, \`open\` or \`pending\`.`);
      const pageArg = args[1] ?? '1';
      const page = Number(pageArg);
      if (!/^\d{1,4}$/.test(pageArg) || page < 1) throw new AppError('BAD_ARGUMENTS', `\`${escapeMrkdwn(pageArg.slice(0, 20))}\` is not a page number.`);
      const { total, items } = await deps.repos.conversations.list(view, userId, page - 1, PAGE);
      const title = { mine: 'Yours', unassigned: 'Nobody has these', open: 'Open', pending: 'Waiting on the customer' }[view];
      if (total === 0) return void (await respond({ response_type: 'ephemeral', text: `*${title}:* none. :tada:` }));
      const pages = Math.ceil(total / PAGE);
      if (page > pages) throw new AppError('BAD_ARGUMENTS', `There ${pages === 1 ? 'is 1 page' : `are ${pages} pages`}.`);
      const links = await Promise.all(
        items.map((i) => (i.slack ? client.chat.getPermalink({ channel: i.slack.channel, message_ts: i.slack.threadTs }).then((r) => r.permalink, () => undefined) : undefined)),
      );
      const lines = items.map((item, n) => {
        const name = contactDisplayName(item);
        const who = item.conversation.assignee ? `<@${item.conversation.assignee}>` : '_nobody_';
        const link = links[n] ? ` · <${links[n]}|thread>` : '';
        return `${(page - 1) * PAGE + n + 1}. *${name}* · ${conversationLine(item.conversation)} · ${who}${link}`;
      });
      const more = page < pages ? `\n_Page ${page} of ${pages}: \`/wa inbox ${view} ${page + 1}\` for more._` : '';
      await respond({ response_type: 'ephemeral', text: `*${title}* (${total})\n${lines.join('\n')}${more}` });
    },
  };
}
