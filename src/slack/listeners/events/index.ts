import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { registerAppHome } from './app-home';
import { registerReplyChanges } from './reply-changes';
import { registerThreadReplies } from './thread-replies';

/** Registers every Events API listener. */
export function registerEvents(app: App, deps: AppDeps): void {
  registerAppHome(app, deps);
  registerThreadReplies(app, deps);
  registerReplyChanges(app, deps);
}
