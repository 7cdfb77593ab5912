import type { BlockAction } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { HOME_REFRESH, homeView } from '../../blocks/home-view';
import { readOverview } from '../../overview';
import { requestLog } from '../../request-context';
import type { Listeners } from '../listener-table';

/** Refreshes App Home each time someone opens it (and on its Refresh button), so it never shows stale state. */
export function registerAppHome(on: Listeners, deps: Pick<AppDeps, 'health' | 'logger' | 'repos' | 'clock'>): void {
  on.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(await readOverview(deps)) });
    requestLog(context, deps.logger).debug('home published');
  });
  on.action<BlockAction>(HOME_REFRESH, async ({ ack, body, client }) => {
    await ack();
    await client.views.publish({ user_id: body.user.id, view: homeView(await readOverview(deps)) });
  });
}
