import type { types, webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { withTimeout } from '../timeout';

/**
 * What a person may do. Agents use the app: `/wa`, buttons, shortcuts, App Home, replies to
 * customers. Leads also manage what agents send and who is messaged (quick replies, labels and
 * their routes, hygiene, channel modes, segment exports, erasure). A lead is an agent too.
 */
export type Role = 'agent' | 'lead';

/** Group membership is looked up at most this often: someone added to a group has the role within a minute. */
const GROUP_CACHE_MS = 60_000;
/** A list up to this old answers at once while a fresh one is read: requests never queue behind the read. */
const GROUP_STALE_MAX_MS = 10 * 60_000;
/** After a failed read, members are refused (or served the last list) this long before Slack is asked again. */
const GROUP_RETRY_MS = 30_000;
/** A read slower than this counts as failed: a modal's answer is due within 3 s. */
const GROUP_READ_TIMEOUT_MS = 2_000;

type Members = (client: webApi.WebClient) => Promise<Set<string> | undefined>;

/**
 * A user group's members, read at most once a minute (one read at a time, never waited for while a
 * list under ten minutes old can answer); undefined when it cannot be read and no such list exists.
 * Unknown membership means "not in it": a refusal is safer than a wrong grant.
 */
export function groupMembers(group: string, what: string, logger: Logger, now: () => number = () => performance.now()): Members {
  let good: { members: Set<string>; at: number } | undefined;
  let reading: Promise<Set<string> | undefined> | undefined;
  let failedAt: number | undefined;

  async function read(client: webApi.WebClient): Promise<Set<string> | undefined> {
    try {
      const res = await withTimeout(client.usergroups.users.list({ usergroup: group }), GROUP_READ_TIMEOUT_MS, () => new Error(`no answer within ${GROUP_READ_TIMEOUT_MS} ms`));
      good = { members: new Set(res.users ?? []), at: now() };
      failedAt = undefined;
      return good.members;
    } catch (err) {
      logger.warn({ err, group }, `could not read the ${what} user group`);
      failedAt = now();
      return undefined;
    } finally {
      reading = undefined;
    }
  }

  return async (client) => {
    const at = now();
    if (good && at - good.at <= GROUP_CACHE_MS) return good.members;
    const resting = failedAt !== undefined && at - failedAt < GROUP_RETRY_MS;
    if (!reading && !resting) reading = read(client);
    if (good && at - good.at <= GROUP_STALE_MAX_MS) return good.members;
    return reading ?? undefined;
  };
}

/** Neither SLACK_AGENTS nor SLACK_AGENTS_GROUP is set: every member of the workspace is an agent. */
export function everyoneIsAgent(config: Config['slack']): boolean {
  return config.agents.length === 0 && !config.agentsGroup;
}

/** Whether a user holds a role: `SLACK_LEADS`/`SLACK_LEADS_GROUP` for leads, `SLACK_AGENTS`/`SLACK_AGENTS_GROUP` (or anyone, when both are unset) for agents. */
export type RoleCheck = (client: webApi.WebClient, userId: string, role: Role) => Promise<boolean>;

export function roleChecker(config: Config['slack'], logger: Logger): RoleCheck {
  const leadsGroup = config.leadsGroup ? groupMembers(config.leadsGroup, 'leads', logger) : undefined;
  const agentsGroup = config.agentsGroup ? groupMembers(config.agentsGroup, 'agents', logger) : undefined;
  const open = everyoneIsAgent(config);
  const isLead = async (client: webApi.WebClient, userId: string) => config.leads.includes(userId) || ((await leadsGroup?.(client))?.has(userId) ?? false);
  return async (client, userId, role) => {
    if (!userId) return false;
    if (role === 'agent' && (open || config.agents.includes(userId) || (await agentsGroup?.(client))?.has(userId))) return true;
    return isLead(client, userId);
  };
}

const checkers = new WeakMap<Config['slack'], RoleCheck>();

/**
 * The one role check of an app (per configuration), shared by every listener that needs it, so
 * each user group is read once a minute, not once per listener. Built on first use: registering
 * listeners needs no configuration (the manifest test registers them bare).
 */
export function roleCheck(deps: Pick<AppDeps, 'config' | 'logger'>): RoleCheck {
  return (client, userId, role) => {
    let check = checkers.get(deps.config.slack);
    if (!check) checkers.set(deps.config.slack, (check = roleChecker(deps.config.slack, deps.logger)));
    return check(client, userId, role);
  };
}

/** Whether a user is a team lead (the shared role check). */
export function leadCheck(deps: Pick<AppDeps, 'config' | 'logger'>): (client: webApi.WebClient, userId: string) => Promise<boolean> {
  const check = roleCheck(deps);
  return (client, userId) => check(client, userId, 'lead');
}

/** What a refused person is told (`what`: "change these settings"); plain words, so it fits a form's field error too. */
export function refusalText(role: Role, what?: string): string {
  return role === 'lead'
    ? `Only team leads can ${what ?? 'do that'}. Ask one of them, or your admin to add you to SLACK_LEADS.`
    : 'Switchboard is for the support team: ask your Slack admin to add you as an agent (SLACK_AGENTS or its user group).';
}

/** Where every refusal goes: who, what, which role it needed. Never the text they typed. */
export interface AccessPolicy {
  allows: RoleCheck;
  refused(entry: { actor: string; action: string; role: Role; args?: Record<string, unknown> }): Promise<void>;
}

export function accessPolicy(deps: Pick<AppDeps, 'config' | 'logger' | 'repos' | 'clock'>): AccessPolicy {
  return {
    allows: roleCheck(deps),
    async refused({ actor, action, role, args }) {
      deps.logger.info({ actor, action, needs: role, outcome: 'refused' }, 'refused: not allowed for this role');
      await deps.repos.audit.record({ actor, action, args: { ...args, needs: role }, outcome: 'refused', at: deps.clock() });
    },
  };
}

/** The requests a listener answers (events have no one to answer). */
export type RequestKind = 'command' | 'action' | 'view' | 'shortcut';

/** The parts of a refused request (a command, button, shortcut or submission) its refusal needs. */
export interface RefusedRequest {
  client: webApi.WebClient;
  ack(answer?: object): Promise<void>;
  respond?: (message: object) => Promise<unknown>;
  body: {
    trigger_id?: string;
    channel?: { id: string };
    user?: { id: string };
    user_id?: string;
    message?: { ts?: string; thread_ts?: string };
    view?: { type?: string };
  };
  view?: { blocks?: Array<{ type: string; block_id?: string }>; state?: { values?: Record<string, unknown> } };
}

/**
 * A refusal, told the way the request allows: a command by an ephemeral answer; a button or a
 * shortcut on a message by an ephemeral in its channel (and thread), elsewhere (App Home, a modal,
 * a global shortcut) by a small modal; a submission by an error on the form's first field, or by
 * replacing a form without fields with the refusal.
 */
export async function tellRefused(kind: RequestKind, args: RefusedRequest, text: string): Promise<void> {
  const { body, client } = args;
  const user = body.user?.id ?? body.user_id ?? '';
  if (kind === 'view') {
    const field = args.view?.blocks?.find((b) => b.type === 'input' && b.block_id)?.block_id ?? Object.keys(args.view?.state?.values ?? {})[0];
    return args.ack(field ? { response_action: 'errors', errors: { [field]: text } } : { response_action: 'update', view: refusalModal(`:lock: ${text}`) });
  }
  await args.ack();
  if (kind === 'command') return void (await args.respond?.({ response_type: 'ephemeral', text: `:lock: ${text}` }));
  if (body.channel?.id) {
    // A shortcut on a thread's root, or in the thread, is answered in that thread.
    const threadTs = kind === 'shortcut' ? (body.message?.thread_ts ?? body.message?.ts) : body.message?.thread_ts;
    return void (await client.chat.postEphemeral({ channel: body.channel.id, user, text: `:lock: ${text}`, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }
  if (!body.trigger_id) return;
  const view = refusalModal(`:lock: ${text}`);
  await (body.view?.type === 'modal' ? client.views.push({ trigger_id: body.trigger_id, view }) : client.views.open({ trigger_id: body.trigger_id, view }));
}

function refusalModal(text: string): types.ModalView {
  return { type: 'modal', title: { type: 'plain_text', text: 'Not allowed' }, close: { type: 'plain_text', text: 'Close' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
