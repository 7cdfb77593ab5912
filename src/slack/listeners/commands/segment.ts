import { stringify } from 'csv-stringify';
import type { AppDeps } from '../../../app-deps';
import type { Contact, Segment } from '../../../domain/contact';
import { AppError } from '../../../errors';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';

/** A spreadsheet treats a cell starting with these as a formula: defuse them (CSV injection). */
const FORMULA = /^[=+\-@\t\r]/;
const cell = (value: string) => (FORMULA.test(value) ? `'${value}` : value);

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
      const csv = await toCsv(deps.repos.contacts.streamSegment(segment));
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

async function toCsv(contacts: AsyncIterable<Contact>): Promise<Buffer> {
  const out = stringify({ header: true, columns: ['phone', 'whatsapp_id', 'name', 'labels', 'consent', 'activity', 'last_message'] });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => out.on('end', resolve).on('error', reject));
  for await (const c of contacts) {
    out.write([cell(c.e164 ?? ''), c.waId, cell(c.name ?? ''), cell(c.labels.join(' ')), c.consent.status, c.activity.status, c.lastInboundAt?.toISOString() ?? '']);
  }
  out.end();
  await done;
  return Buffer.concat(chunks);
}
