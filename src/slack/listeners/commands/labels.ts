import type { AppDeps } from '../../../app-deps';
import { AppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/** `/wa labels`: every label, how many contacts carry it, and where its conversations go. */
export function labelsSubcommand(deps: Pick<AppDeps, 'repos'>): Subcommand {
  return {
    name: 'labels',
    usage: '/wa labels',
    summary: 'all labels, with how many contacts carry each',
    async run({ respond }) {
      const [labels, counts] = await Promise.all([deps.repos.labels.list(), deps.repos.contacts.labelCounts()]);
      const lines = labels.map((l) => `• \`${escapeMrkdwn(l.name)}\` — ${counts.get(l.name) ?? 0} contact${counts.get(l.name) === 1 ? '' : 's'}${l.routeChannel ? ` → <#${l.routeChannel}>` : ''}`);
      await respond({ response_type: 'ephemeral', text: lines.length ? ['*Labels*', ...lines].join('\n') : 'There are no labels yet: a team lead creates them with `/wa label create <name>`.' });
    },
  };
}

/** `/wa label add|remove <phone> <label…>`: labels on one contact. Labels must exist (`/wa labels`). */
export function labelSubcommand(deps: Pick<AppDeps, 'repos' | 'clock'>): Subcommand {
  return {
    name: 'label',
    usage: '/wa label add|remove <phone> <label…>',
    summary: "add or remove a contact's labels",
    async run({ args, respond, userId }) {
      const [verb, ...rest] = args;
      if (verb !== 'add' && verb !== 'remove') throw new AppError('BAD_ARGUMENTS', 'Say `add` or `remove`.');
      // The number may contain spaces; the labels are the words after it.
      const firstLabel = rest.findIndex((a, i) => i > 0 && !/^[\d().-]+$/.test(a));
      if (firstLabel === -1) throw new AppError('BAD_ARGUMENTS', 'Say which contact (a phone number) and which labels.');
      const contact = await contactByPhone(deps.repos.contacts, rest.slice(0, firstLabel).join(' '));
      const names = [...new Set(rest.slice(firstLabel).map((l) => l.toLowerCase()))];
      const known = new Set((await deps.repos.labels.list()).map((l) => l.name));
      const unknown = names.filter((n) => !known.has(n));
      if (unknown.length) {
        const shown = unknown.slice(0, 5).map((n) => `\`${escapeMrkdwn(n.slice(0, 40))}\``).join(', ');
        throw new AppError('LABEL_NOT_FOUND', `No such label: ${shown}. \`/wa labels\` lists them.`);
      }
      const updated = verb === 'add' ? await deps.repos.contacts.addLabels(contact.waId, names) : await deps.repos.contacts.removeLabels(contact.waId, names);
      await deps.repos.audit.record({ actor: userId, action: `label_${verb}`, args: { contact: contact.waId, labels: names }, outcome: 'ok', at: deps.clock() });
      const now = updated?.labels.length ? updated.labels.map((l) => `\`${escapeMrkdwn(l)}\``).join(' ') : '_none_';
      await respond({ response_type: 'ephemeral', text: `${escapeMrkdwn(contactDisplayName(contact))} now has: ${now}` });
    },
  };
}
