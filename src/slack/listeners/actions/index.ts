import type { AppDeps } from '../../../app-deps';
import { registerContactCardActions } from './contact-card';
import { registerConversationActions } from './conversation';
import { registerForgetContact } from './forget-contact';
import { registerHomeButtons } from './home-buttons';
import { registerHygieneReportActions } from './hygiene-report';
import { registerTemplateActions } from './templates';
import type { Listeners } from '../listener-table';

/** Registers every button, modal and shortcut listener. */
export function registerActions(on: Listeners, deps: AppDeps): void {
  registerContactCardActions(on, deps);
  registerConversationActions(on, deps);
  registerForgetContact(on, deps);
  registerHomeButtons(on, deps);
  registerHygieneReportActions(on, deps);
  registerTemplateActions(on, deps);
}
