import type { App } from '@slack/bolt';
import type { AppDeps } from '../../app-deps';
import type { AfterAckQueue } from '../after-ack-queue';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { registerEvents } from './events';

/** Registers every listener, one factory per folder. manifest.yml declares exactly what these handle. */
export function registerListeners(app: App, deps: AppDeps, afterAck?: AfterAckQueue): void {
  registerCommands(app, deps, afterAck);
  registerEvents(app, deps);
  registerActions(app, deps);
}
