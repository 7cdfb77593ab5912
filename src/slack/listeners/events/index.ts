import type { AppDeps } from '../../../app-deps';
import { registerAppHome } from './app-home';
import { registerReplyChanges } from './reply-changes';
import { registerThreadReplies } from './thread-replies';
import type { Listeners } from '../listener-table';

/** Registers every Events API listener. */
export function registerEvents(on: Listeners, deps: AppDeps): void {
  registerAppHome(on, deps);
  registerThreadReplies(on, deps);
  registerReplyChanges(on, deps);
}
