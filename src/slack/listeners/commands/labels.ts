import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import type { Label } from '../../../domain/label';
import { AppError } from '../../../errors';
import { contactDisplayName } from '../../blocks/contact-card';
import { escapeMrkdwn } from '../../mrkdwn';
import { slackErrorCode } from '../../slack-errors';
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
  const lines = labels.map((l) => `• \`${escapeMrkdwn(l.name)}\` — ${plural(counts.get(l.name) ?? 0, 'contact')}${l.routeChannel ? ` → ${routeText(l)}` : ''}`);
  const routed = labels.filter((l) => l.routeChannel).length;
  const order = routed > 1 ? ['A contact with several routed labels starts in the channel of the lowest priority number.'] : [];
  return lines.length ? ['*Labels*', ...lines, ...order].join('\n') : 'There are no labels yet: a team lead creates them with `/wa label create <name>`.';
}

/** `<#C1> (priority 2)`: a route as lists and confirmations show it. */
const routeText = (l: Pick<Label, 'routeChannel' | 'routePriority'>) => `<#${l.routeChannel}>${l.routePriority === undefined ? '' : ` (priority ${l.routePriority})`}`;

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
 * `create|delete <label>`, `rename <old> <new>` and `route <label> #channel [priority N]` (a label's
 * conversations go to that channel; with several routed labels the lowest priority wins).
 */
export function labelSubcommand(deps: Pick<AppDeps, 'repos' | 'clock' | 'config'>): Subcommand {
  return {
    name: 'label',
    usage: '/wa label add|remove <phone> <label…>  ·  leads: /wa label create|delete <label>, /wa label rename <old> <new>, /wa label route <label> #channel [priority N]',
    summary: "add or remove a contact's labels; leads manage the labels themselves",
    leadOnly: (args) => LEAD_VERBS.has(args[0]?.toLowerCase() ?? ''),
    async run(ctx) {
      const { args, respond, userId } = ctx;
      const verb = args[0]?.toLowerCase();
      if (verb && LEAD_VERBS.has(verb)) return manageLabel(deps, verb, args.slice(1), userId, respond, ctx.client);
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
  client: webApi.WebClient,
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
  const priority = channel ? routePriority(args.slice(2)) : undefined;
  if (channel) await ensureCanPost(client, channel);
  const routed = await deps.repos.labels.setRoute(name, channel ?? null, priority);
  if (!routed) throw notFound(); // deleted meanwhile
  await audit({ channel: channel ?? null, ...(channel ? { priority: routed.routePriority } : {}) });
  await say(channel ? `New conversations of contacts labelled \`${name}\` now start in ${routeText(routed)}.` : `Conversations labelled \`${name}\` start in the inbox again.`);
}

/** `priority N` after the channel (a whole number, lowest wins); nothing → undefined (the repository decides). */
function routePriority(words: string[]): number | undefined {
  if (!words.length) return undefined;
  const [word, value, ...more] = words;
  if (word?.toLowerCase() !== 'priority' || more.length || !/^\d{1,3}$/.test(value ?? '')) {
    throw new AppError('BAD_ARGUMENTS', 'A priority is a whole number from 0 to 999, as in `priority 1`: with several routed labels, the lowest number wins.');
  }
  return Number(value);
}

/**
 * A route to a channel the bot cannot post in would fail every new conversation's first post:
 * refused now, with the reason. A public channel the bot is not in is joined.
 */
async function ensureCanPost(client: webApi.WebClient, channel: string): Promise<void> {
  const refuse = (why: string) => new AppError('BAD_ARGUMENTS', `${why} Conversations keep going where they went before.`);
  let info: { is_archived?: boolean; is_private?: boolean; is_member?: boolean } | undefined;
  try {
    info = (await client.conversations.info({ channel })).channel;
  } catch (err) {
    const code = slackErrorCode(err);
    if (code === 'channel_not_found') throw refuse(`I cannot see <#${channel}>: it does not exist, or it is private and I am not in it (invite me there first).`);
    throw refuse(`Slack would not tell me about <#${channel}> (\`${code ?? 'no answer'}\`), so I cannot tell whether I may post there.`);
  }
  if (info?.is_archived) throw refuse(`<#${channel}> is archived: nothing can be posted there.`);
  if (info?.is_member) return;
  if (info?.is_private) throw refuse(`<#${channel}> is private and I am not in it: invite me there first, then route again.`);
  try {
    await client.conversations.join({ channel });
  } catch (err) {
    const code = slackErrorCode(err);
    // Joining needs the channels:join scope, which an app installed from an older manifest lacks.
    const fix = code === 'missing_scope' ? ' Invite me there instead, then route again.' : '';
    throw refuse(`I could not join <#${channel}> (Slack said \`${code ?? 'no answer'}\`).${fix}`);
  }
}
