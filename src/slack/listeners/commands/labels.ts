import type { AppDeps } from '../../../app-deps';
import { AppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { contactByPhone } from './contact-lookup';
import type { Subcommand } from './subcommand';

/** `/wa labels`: every label, how many contacts carry it, and where its conversations go. */
export function labelsSubcommand(deps: Pick<AppDeps, 'repos' | 'config'>): Subcommand {
  return {
    name: 'labels',
    usage: '/wa labels',
    summary: 'all labels, with how many contacts carry each',
    async run({ respond }) {
      await respond({ response_type: 'ephemeral', text: await labelListText(deps.repos) });
    },
  };
}

/** Every label with its count and route, as `/wa labels` and App Home's Labels button show it. */
export async function labelListText(repos: Pick<AppDeps['repos'], 'labels' | 'contacts'>): Promise<string> {
  const [labels, counts] = await Promise.all([repos.labels.list(), repos.contacts.labelCounts()]);
  const lines = labels.map((l) => `• \`${escapeMrkdwn(l.name)}\` — ${plural(counts.get(l.name) ?? 0, 'contact')}${l.routeChannel ? ` → <#${l.routeChannel}>` : ''}`);
  return lines.length ? ['*Labels*', ...lines].join('\n') : 'There are no labels yet: a team lead creates them with `/wa label create <name>`.';
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const LEAD_VERBS = new Set(['create', 'delete', 'rename', 'route']);
/** Label names: what people type after `#`-less words — letters, digits, dashes, underscores. */
const LABEL_NAME = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,39}$/u;

/** A typed label name, lower-cased; BAD_ARGUMENTS unless it is one `create` would accept. */
function labelName(typed: string | undefined, missing = 'Say which label.'): string {
  const name = (typed ?? '').toLowerCase();
  if (!name) throw new AppError('BAD_ARGUMENTS', missing);
  if (!LABEL_NAME.test(name)) {
    throw new AppError('BAD_ARGUMENTS', `\`${escapeMrkdwn(name.slice(0, 40))}\` is not a label name: up to 40 letters, digits, dashes or underscores.`);
  }
  return name;
}

/**
 * `/wa label add|remove <phone> <label…>`: labels on one contact (labels must exist). Leads also
 * `create|delete <label>`, `rename <old> <new>` and `route <label> #channel` (a label's
 * conversations go to that channel).
 */
export function labelSubcommand(deps: Pick<AppDeps, 'repos' | 'clock' | 'config'>): Subcommand {
  return {
    name: 'label',
    usage: '/wa label add|remove <phone> <label…>  ·  leads: /wa label create|delete <label>, /wa label rename <old> <new>, /wa label route <label> #channel',
    summary: "add or remove a contact's labels; leads manage the labels themselves",
    leadOnly: (args) => LEAD_VERBS.has(args[0]?.toLowerCase() ?? ''),
    async run(ctx) {
      const { args, respond, userId } = ctx;
      const verb = args[0]?.toLowerCase();
      if (verb && LEAD_VERBS.has(verb)) return manageLabel(deps, verb, args.slice(1), userId, respond);
      const rest = args.slice(1);
      if (verb !== 'add' && verb !== 'remove') throw new AppError('BAD_ARGUMENTS', 'Say `add` or `remove` (leads: `create`, `delete`, `rename`, `route`).');
      // The number may contain spaces; the labels are the words after it.
      const firstLabel = rest.findIndex((a, i) => i > 0 && !/^[\d().-]+$/.test(a));
      if (firstLabel === -1) throw new AppError('BAD_ARGUMENTS', 'Say which contact (a phone number) and which labels.');
      const contact = await contactByPhone(deps.repos.contacts, rest.slice(0, firstLabel).join(' '), deps.config.phoneDefaultCountry);
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
      await respond({ response_type: 'ephemeral', text: `${contactDisplayName(contact)} now has: ${now}` });
    },
  };
}

async function manageLabel(
  deps: Pick<AppDeps, 'repos' | 'clock' | 'config'>,
  verb: string,
  args: string[],
  userId: string,
  respond: Parameters<Subcommand['run']>[0]['respond'],
): Promise<void> {
  const name = labelName(args[0]);
  const at = deps.clock();
  const audit = (extra: Record<string, unknown> = {}) => deps.repos.audit.record({ actor: userId, action: `label_${verb}`, args: { label: name, ...extra }, outcome: 'ok', at });
  const say = (text: string) => respond({ response_type: 'ephemeral', text });
  if (verb === 'create') {
    await deps.repos.labels.create({ name });
    await audit();
    return void (await say(`Label \`${name}\` created.`));
  }
  const notFound = () => new AppError('LABEL_NOT_FOUND', `No such label: \`${name}\`. \`/wa labels\` lists them.`);
  const label = await deps.repos.labels.findByName(name);
  if (!label) throw notFound();
  if (verb === 'rename') {
    const to = labelName(args[1], 'Say the new name.');
    if (args.length > 2) throw new AppError('BAD_ARGUMENTS', 'A label name is one word: letters, digits, dashes or underscores.');
    if (to === name) throw new AppError('BAD_ARGUMENTS', `The label is already called \`${name}\`.`);
    if (!(await deps.repos.labels.rename(name, to))) throw notFound(); // deleted meanwhile
    const moved = await deps.repos.contacts.renameLabelEverywhere(name, to);
    await audit({ to, contacts: moved });
    const route = label.routeChannel ? ` Its conversations still start in <#${label.routeChannel}>.` : '';
    return void (await say(`Label \`${name}\` is now \`${to}\`, on ${plural(moved, 'contact')}.${route}`));
  }
  if (verb === 'delete') {
    await deps.repos.labels.remove(name);
    const had = await deps.repos.contacts.removeLabelEverywhere(name);
    await audit({ contacts: had });
    return void (await say(`Label \`${name}\` deleted; it was on ${plural(had, 'contact')}.`));
  }
  // route: Slack sends a channel as <#C123|name> (the command escapes channels); `none` clears it.
  const target = args[1] ?? '';
  const channel = /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(target)?.[1] ?? (/^[CG][A-Z0-9]{5,}$/.test(target) ? target : undefined);
  if (!channel && target.toLowerCase() !== 'none') throw new AppError('BAD_ARGUMENTS', 'Say which channel: `#channel`, or `none` to send these conversations to the inbox again.');
  await deps.repos.labels.setRoute(name, channel ?? null);
  await audit({ channel: channel ?? null });
  await say(channel ? `New conversations of contacts labelled \`${name}\` now start in <#${channel}>.` : `Conversations labelled \`${name}\` start in the inbox again.`);
}
