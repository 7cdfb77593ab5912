import type { AppDeps } from '../../../app-deps';
import { registerBroadcastApproval } from './broadcast-approval';
import { registerBroadcastCompose } from './broadcast-compose';
import { registerBroadcastControls } from './broadcast-controls';
import { registerContactCardActions } from './contact-card';
import { registerConversationActions } from './conversation';
import { registerForgetContact } from './forget-contact';
import { registerHomeButtons } from './home-buttons';
import { registerHoursModal } from './hours-modal';
import { registerHygieneReportActions } from './hygiene-report';
import { registerTemplateActions } from './templates';
import type { Listeners } from '../listener-table';

/** Registers every button, modal and shortcut listener. */
export function registerActions(on: Listeners, deps: AppDeps): void {
  registerBroadcastCompose(on, deps);
  registerBroadcastApproval(on, deps);
  registerContactCardActions(on, deps);
  registerConversationActions(on, deps);
  registerForgetContact(on, deps);
  registerHomeButtons(on, deps);
  registerHoursModal(on, deps);
  registerHygieneReportActions(on, deps);
  registerTemplateActions(on, deps);
  registerBroadcastControls(on, deps);
}
