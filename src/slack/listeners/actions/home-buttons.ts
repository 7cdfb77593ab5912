import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { isAppError } from '../../../errors';
import { FIND_CONTACT, findContactModal, textModal } from '../../blocks/home-modals';
import { HOME_ACTIONS, HOME_LEAD_ACTIONS } from '../../blocks/home-view';
import { mrkdwnToPlain } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import { contactDetailsText } from '../commands/contact';
import { contactByPhoneOrName } from '../commands/contact-lookup';
import { labelListText } from '../commands/labels';
import { quickReplyListText } from '../commands/quick-replies';
import { openBroadcastCompose } from './broadcast-compose';
import { openHoursModal } from './hours-modal';
import type { Listeners } from '../listener-table';

type Deps = Pick<AppDeps, 'config' | 'repos' | 'logger' | 'clock' | 'gateway'>;

/**
 * App Home's buttons: the everyday `/wa contact`, `/wa qr list` and `/wa labels`, one click away
 * and answered in a modal. They read through the commands' own code, so both always agree.
 */
export function registerHomeButtons(on: Listeners, deps: Deps): void {
  on.action<BlockAction<ButtonAction>>(HOME_ACTIONS.findContact, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: findContactModal() });
  });

  // views.open needs the content and a trigger lasts 3 s: the lists are small reads, so they come first.
  on.action<BlockAction<ButtonAction>>(HOME_ACTIONS.quickReplies, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: textModal('Quick replies', await quickReplyListText(deps.repos)) });
  });

  on.action<BlockAction<ButtonAction>>(HOME_ACTIONS.labels, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: textModal('Labels', await labelListText(deps.repos)) });
  });

  // Shown to leads only, and checked again here: anyone can post a button's action.
  on.action<BlockAction<ButtonAction>>(
    HOME_LEAD_ACTIONS.editHours,
    async ({ ack, body, client }) => {
      await ack();
      await openHoursModal(deps, client, body.trigger_id);
    },
    { role: 'lead', action: 'business_hours_edit', what: 'change business hours and automatic replies' },
  );

  on.action<BlockAction<ButtonAction>>(
    HOME_LEAD_ACTIONS.newBroadcast,
    async ({ ack, body, client }) => {
      await ack();
      await openBroadcastCompose(deps, client, body.trigger_id);
    },
    { role: 'lead', action: 'broadcast_compose_open', what: 'send broadcasts' },
  );

  // Slack waits 3 s for the answer to a submission: the card replaces the form, or the input shows why not.
  on.view(FIND_CONTACT.callbackId, async ({ ack, view, client, context }) => {
    const typed = view.state.values[FIND_CONTACT.blockId]?.[FIND_CONTACT.actionId]?.value ?? '';
    const log = requestLog(context, deps.logger);
    try {
      const contact = await contactByPhoneOrName(deps.repos.contacts, typed, deps.config.phoneDefaultCountry);
      await ack({ response_action: 'update', view: textModal('Contact', await contactDetailsText(deps.repos, client, contact)) });
      log.info({ outcome: 'ok' }, 'contact found from App Home');
    } catch (err) {
      if (!isAppError(err)) log.error({ err }, 'find a contact failed');
      else log.info({ outcome: 'rejected', code: err.code }, 'contact not found from App Home');
      const message = isAppError(err) ? mrkdwnToPlain(err.message) : `Sorry, that failed. Quote this reference to your admin: ${String(log.bindings().reqId)}`;
      await ack({ response_action: 'errors', errors: { [FIND_CONTACT.blockId]: message } });
    }
  });
}
