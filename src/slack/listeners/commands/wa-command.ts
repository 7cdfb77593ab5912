import type { Context, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js';
import type { AppDeps } from '../../../app-deps';
import { e164ToWaId, toE164 } from '../../../domain/phone';
import { isAppError } from '../../../errors';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { leadCheck } from '../../roles';
import { helpText } from './help';
import type { Subcommand } from './subcommand';
import type { Listeners } from '../listener-table';

/**
 * `/wa <subcommand> …`: acknowledged on arrival (Slack allows 3 s; see early-ack-app.ts), then
 * runs the subcommand and answers through `respond()`. Known errors are shown to the caller; the
 * rest are logged with the request id, and the caller gets that id to quote.
 */
export function registerWaCommand(on: Listeners, deps: Pick<AppDeps, 'logger' | 'config' | 'repos' | 'clock' | 'privacy'>, subcommands: readonly Subcommand[]): void {
  const byName = new Map(subcommands.map((s) => [s.name, s]));
  const isLead = leadCheck(deps);
  /** What a refusal's audit entry keeps of a command: never its text, which may hold a number. */
  const audited = (text: string, verb: boolean) => auditedCommand(text, byName, deps.privacy, deps.config.phoneDefaultCountry, verb);
  // For agents (checked by the listener table); the lead-only subcommands are checked below.
  on.command(
    '/wa',
    async ({ command, ack, respond, context, client }) => {
      await ack();
      await answer(command, respond, context, client);
    },
    { role: 'agent', audit: ({ command }) => audited(command.text, false) },
  );

  async function answer(command: SlashCommand, respond: RespondFn, context: Context, client: webApi.WebClient): Promise<void> {
    const log = requestLog(context, deps.logger);
    const [name = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const subcommand = byName.get(name.toLowerCase());
    log.info({ subcommand: subcommand?.name ?? null }, 'command received');
    if (!subcommand) {
      const shown = name.length > 30 ? `${name.slice(0, 30)}…` : name;
      await respond({ response_type: 'ephemeral', text: `Unknown subcommand \`${shown}\`.\n\n${helpText(subcommands)}` });
      return;
    }
    const rest = command.text.trim().slice(name.length).trim();
    const leadOnly = typeof subcommand.leadOnly === 'function' ? subcommand.leadOnly(args) : subcommand.leadOnly;
    if (leadOnly && !(await isLead(client, command.user_id))) {
      log.info({ outcome: 'refused' }, 'lead-only command refused');
      const kept = audited(command.text, typeof subcommand.leadOnly === 'function');
      await deps.repos.audit.record({ actor: command.user_id, action: `/wa ${subcommand.name}`, args: { ...kept, needs: 'lead' }, outcome: 'refused', at: deps.clock() });
      await respond({ response_type: 'ephemeral', text: `:lock: \`/wa ${escapeMrkdwn(name)}${args[0] && typeof subcommand.leadOnly === 'function' ? ` ${escapeMrkdwn(args[0].slice(0, 20))}` : ''}\` is for team leads. Ask one of them, or your admin to add you to SLACK_LEADS.` });
      return;
    }
    try {
      await subcommand.run({
        args,
        rest,
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        respond,
        client,
        log,
      });
      log.info({ outcome: 'ok' }, 'command answered');
    } catch (err) {
      if (isAppError(err)) {
        log.info({ outcome: 'rejected', code: err.code }, 'command answered');
        await respond({ response_type: 'ephemeral', text: `${err.message}\nUsage: \`${escapeMrkdwn(subcommand.usage)}\`` });
        return;
      }
      log.error({ err }, 'command failed');
      await respond({ response_type: 'ephemeral', text: `Sorry, that failed. Quote this reference to your admin: ${log.bindings().reqId}` });
    }
  }
}

/** A WhatsApp id as typed: digits `@c.us` (a number), `@s.whatsapp.net` (the same), or `@lid` (a privacy id). */
const WA_ID = /^(\d{5,20})@(c\.us|s\.whatsapp\.net|lid)$/i;
/** A word that may be part of a phone number typed with spaces. */
const PHONE_WORD = /^[+\d().-]*\d[\d().-]*$/;
/** "+1 (555) 010 - 0000": no number is typed in more words than this. */
const MAX_PHONE_WORDS = 8;

/**
 * What an audit entry keeps of a refused `/wa` command: the subcommand (with its verb, for those
 * whose verb made it lead-only: `label create`), and the keyed pseudonym of the contact it named —
 * the same one the audit keeps for the contact elsewhere — never the number or anything else typed.
 */
export function auditedCommand(
  text: string,
  subcommands: ReadonlyMap<string, Subcommand>,
  privacy: AppDeps['privacy'],
  country: CountryCode | undefined,
  withVerb: boolean,
): Record<string, unknown> {
  const [name = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const subcommand = subcommands.get(name.toLowerCase());
  if (!subcommand) return {}; // an unknown first word may be anything, a number too
  const verb = withVerb && args[0] ? ` ${args[0].toLowerCase()}` : '';
  const waId = contactIn(args, country);
  return { subcommand: `${subcommand.name}${verb}`, ...(waId ? { contact: privacy.pseudonym(waId) } : {}) };
}

/** The WhatsApp id of the first WhatsApp id or phone number (possibly typed with spaces) among the words. */
function contactIn(words: string[], country: CountryCode | undefined): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const id = WA_ID.exec(words[i]!);
    if (id) return `${id[1]}@${id[2]!.toLowerCase() === 'lid' ? 'lid' : 'c.us'}`;
    let end = i;
    while (end < words.length && PHONE_WORD.test(words[end]!)) end++;
    // The longest run of number-like words that reads as a number: "+44 7911 123456", "07911123456".
    for (let j = Math.min(end, i + MAX_PHONE_WORDS); j > i; j--) {
      try {
        return e164ToWaId(toE164(words.slice(i, j).join(' '), country));
      } catch {
        // not a number: try a shorter run
      }
    }
  }
  return undefined;
}
