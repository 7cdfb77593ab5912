import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps';
import { accessPolicy } from '../roles';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';
import { createListenerTable, type Registrations } from './listener-table';

/**
 * Registers every listener, one factory per folder, through one listener table that Bolt sees as a
 * listener per kind and that checks each listener's role before it runs (see listener-table.ts).
 * manifest.yml declares exactly what these handle.
 */
export function registerListeners(app: Pick<App, 'command' | 'action' | 'view' | 'shortcut' | 'event'>, deps: AppDeps): Registrations {
  const table = createListenerTable(accessPolicy(deps));
  registerCommands(table.listeners, deps);
  registerEvents(table.listeners, deps);
  registerActions(table.listeners, deps);
  table.mount(app);
  return table.registered();
}
