import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { registerContactCardActions } from './contact-card';
import { registerConversationActions } from './conversation';
import { registerHomeButtons } from './home-buttons';
import { registerHygieneReportActions } from './hygiene-report';

/** Registers every button, modal and shortcut listener. */
export function registerActions(app: App, deps: AppDeps): void {
  registerContactCardActions(app, deps);
  registerConversationActions(app, deps);
  registerHomeButtons(app, deps);
  registerHygieneReportActions(app, deps);
}
