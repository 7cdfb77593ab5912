import type { AppDeps } from '../../../app-deps';
import type { Segment } from '../../../domain/contact';
import { AppError } from '../../../errors';
import { contactsCsv } from '../../contacts-csv';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';

/**
 * `/wa segment <label…> [active|inactive] [opted-in]` (leads): how many contacts match, and the list
 * as a CSV sent to the lead privately — it holds personal data, so it never goes to a channel.
 */
export function segmentSubcommand(deps: Pick<AppDeps, 'repos' | 'clock'>): Subcommand {
  return {
    name: 'segment',
    usage: '/wa segment <label…> [active|inactive] [opted-in]',
    summary: 'count contacts by labels, activity and consent, with a CSV',
    leadOnly: true,
    async run({ args, respond, client, userId }) {
      const segment: Segment = { labels: [] };
      const known = new Set((await deps.repos.labels.list()).map((l) => l.name));
      for (const word of args.map((a) => a.toLowerCase())) {
        if (word === 'active' || word === 'inactive') segment.activity = word;
        else if (word === 'opted-in') segment.optedIn = true;
        else if (known.has(word)) segment.labels.push(word);
        else throw new AppError('LABEL_NOT_FOUND', `No such label: \`${escapeMrkdwn(word.slice(0, 40))}\`. \`/wa labels\` lists them.`);
      }
      if (segment.labels.length === 0) throw new AppError('BAD_ARGUMENTS', 'Name at least one label.');
      const count = await deps.repos.contacts.countSegment(segment);
      const described = [segment.labels.map((l) => `\`${l}\``).join(' + '), segment.activity, segment.optedIn ? 'opted in' : undefined].filter(Boolean).join(', ');
      await deps.repos.audit.record({ actor: userId, action: 'segment', args: { ...segment, count }, outcome: 'ok', at: deps.clock() });
      if (count === 0) return void (await respond({ response_type: 'ephemeral', text: `No contacts in ${described}.` }));
      const csv = await contactsCsv(deps.repos.contacts.streamSegment(segment));
      const dm = await client.conversations.open({ users: userId });
      await client.filesUploadV2({
        channel_id: dm.channel!.id!,
        file: csv,
        filename: `segment-${segment.labels.join('-')}.csv`,
        title: `Segment: ${described.replace(/`/g, '')}`,
        initial_comment: `${count} contacts in ${described}.`,
      });
      await respond({ response_type: 'ephemeral', text: `*${count}* contacts in ${described}. The list was sent to you as a CSV in a direct message.` });
    },
  };
}
