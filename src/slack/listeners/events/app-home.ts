import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { homeView } from '../../blocks/home-view';
import { requestLog } from '../../request-context';

/** Refreshes App Home each time someone opens it, so it never shows stale state. */
export function registerAppHome(app: App, deps: Pick<AppDeps, 'health' | 'logger'>): void {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    const report = await deps.health.readiness();
    await client.views.publish({ user_id: event.user, view: homeView(report) });
    requestLog(context, deps.logger).debug('home published');
  });
}
