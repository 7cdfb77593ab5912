import type { BlockAction, types, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { HOME_REFRESH, homeView } from '../../blocks/home-view';
import { readOverview } from '../../overview';
import { requestLog } from '../../request-context';
import { leadCheck, refusalText } from '../../roles';
import { openingNow } from '../commands/hours';
import type { Listeners } from '../listener-table';

/** App Home for someone who is not an agent: why there is nothing for them, and nothing else. */
export function notAnAgentHome(): types.HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Switchboard' } },
      { type: 'section', text: { type: 'mrkdwn', text: `:lock: ${refusalText('agent')}` } },
    ],
  };
}

/** Refreshes App Home each time someone opens it (and on its Refresh button), so it never shows stale state. */
export function registerAppHome(on: Listeners, deps: Pick<AppDeps, 'health' | 'logger' | 'repos' | 'clock' | 'config'>): void {
  const isLead = leadCheck(deps);
  /** The overview, the open-state line when hours are set, and the leads' buttons for a lead. */
  const home = async (client: webApi.WebClient, user: string) => {
    const overview = await readOverview(deps);
    const [opening, lead] = await Promise.all([overview.report.store.ok ? openingNow(deps) : null, isLead(client, user)]);
    return homeView(overview, { opening, lead });
  };
  on.event(
    'app_home_opened',
    async ({ event, client, context }) => {
      if (event.tab !== 'home') return;
      await client.views.publish({ user_id: event.user, view: await home(client, event.user) });
      requestLog(context, deps.logger).debug('home published');
    },
    {
      role: 'agent',
      action: 'app_home',
      actor: ({ event }) => (event.tab === 'home' ? event.user : undefined),
      // Published over whatever Home showed before: a former agent no longer sees the overview.
      refuse: async ({ event, client }) => {
        await client.views.publish({ user_id: event.user, view: notAnAgentHome() });
        return {};
      },
    },
  );
  on.action<BlockAction>(HOME_REFRESH, async ({ ack, body, client }) => {
    await ack();
    await client.views.publish({ user_id: body.user.id, view: await home(client, body.user.id) });
  });
}
