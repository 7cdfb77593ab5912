import type { webApi } from '@slack/bolt';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** Group membership is looked up at most this often: a lead added to the group is a lead within a minute. */
const GROUP_CACHE_MS = 60_000;

/** Who is a team lead: `SLACK_LEADS` user IDs, and members of the `SLACK_LEADS_GROUP` user group. */
export function leadChecker(config: Config['slack'], logger: Logger): (client: webApi.WebClient, userId: string) => Promise<boolean> {
  let group: { members: Set<string>; at: number } | undefined;
  return async (client, userId) => {
    if (config.leads.includes(userId)) return true;
    if (!config.leadsGroup) return false;
    if (!group || performance.now() - group.at > GROUP_CACHE_MS) {
      try {
        const res = await client.usergroups.users.list({ usergroup: config.leadsGroup });
        group = { members: new Set(res.users ?? []), at: performance.now() };
      } catch (err) {
        // Unknown group membership means "not a lead": a refusal is safer than a wrong grant.
        logger.warn({ err, group: config.leadsGroup }, 'could not read the leads user group');
        return false;
      }
    }
    return group.members.has(userId);
  };
}

export type LeadCheck = ReturnType<typeof leadChecker>;
const checkers = new WeakMap<Config['slack'], LeadCheck>();

/**
 * The one lead check of an app (per configuration), shared by every listener that needs it, so the
 * user group is read once a minute, not once per listener. Built on first use: registering
 * listeners needs no configuration (the manifest test registers them bare).
 */
export function leadCheck(deps: { config: Config; logger: Logger }): LeadCheck {
  return (client, userId) => {
    let check = checkers.get(deps.config.slack);
    if (!check) checkers.set(deps.config.slack, (check = leadChecker(deps.config.slack, deps.logger)));
    return check(client, userId);
  };
}
