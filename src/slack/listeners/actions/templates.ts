import type { BlockAction, ButtonAction, MessageShortcut, webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { checkTemplateConsent } from '../../../consent/template-consent';
import { checkPersonConsent } from '../../../consent/twins';
import type { Contact } from '../../../domain/contact';
import { cloudBehind } from '../../../whatsapp/cloud/cloud-registry';
import { fillTemplate, type CloudTemplate } from '../../../whatsapp/cloud/template-catalog';
import { contactPlainName } from '../../blocks/contact-card';
import { initialParams, TEMPLATE_PICK_MODAL, TEMPLATE_SEND_MODAL, templateKey, templatePickModal, templateSendModal, typedParams } from '../../blocks/template-modal';
import { TEMPLATE_ACTIONS } from '../../blocks/window-notice';
import { escapeMrkdwn } from '../../mrkdwn';
import { requestLog } from '../../request-context';
import type { Listeners } from '../listener-table';

/** The message shortcut (declared in manifest.yml). */
export const TEMPLATE_SHORTCUT = 'send_template';

type Deps = Pick<AppDeps, 'config' | 'repos' | 'clock' | 'logger' | 'bridge' | 'gateway'>;

/** Who asked, and where to answer them. */
interface Asker {
  userId: string;
  channel: string;
  threadTs?: string;
  triggerId: string;
}

const NO_TEMPLATES_HERE =
  'Templates exist only on the WhatsApp Cloud API (`WHATSAPP_GATEWAY=cloud`). This app is connected through WhatsApp Web, which sends free text at any time: reply in the thread.';

/**
 * The template picker: from the window-closed refusal's "Send a template", the card's "Send
 * template" (Cloud API only) and a message shortcut. Step 1 picks an approved template, step 2
 * takes its body parameters (counted against the template) with a preview. The send is queued like
 * a reply — posted in the thread, recorded in the outbox, consent judged again in the send slot —
 * and its gate is the template's category rule (consent/template-consent.ts).
 */
export function registerTemplateActions(on: Listeners, deps: Deps): void {
  const tell = (client: webApi.WebClient, who: Asker, text: string) =>
    client.chat.postEphemeral({ channel: who.channel, user: who.userId, text, ...(who.threadTs ? { thread_ts: who.threadTs } : {}) });
  const catalog = () => cloudBehind(deps.gateway)?.templates;
  const findTemplate = (key: unknown): CloudTemplate | undefined => {
    const [name, language] = typeof key === 'string' ? key.split('|') : [];
    return name && language ? catalog()?.find(name, language) : undefined;
  };
  const meta = (raw: string): { waId?: unknown; template?: unknown } => {
    try {
      return JSON.parse(raw || '{}') as { waId?: unknown; template?: unknown };
    } catch {
      return {};
    }
  };
  const contactOf = async (waId: unknown) => (typeof waId === 'string' ? deps.repos.contacts.findByWaId(waId) : null);

  async function openPicker(client: webApi.WebClient, contact: Contact | null, who: Asker): Promise<void> {
    const templates = catalog();
    if (!templates) return void (await tell(client, who, NO_TEMPLATES_HERE));
    if (!contact) return void (await tell(client, who, 'That contact no longer exists.'));
    const gate = await checkPersonConsent({ contacts: deps.repos.contacts }, contact, 'reply');
    if (!gate.allowed) return void (await tell(client, who, `:no_entry_sign: ${escapeMrkdwn(gate.reason)}.`));
    const list = templates.list();
    if (list.length === 0) return void (await tell(client, who, 'WhatsApp has no approved templates for this business yet: create them in WhatsApp Manager; they show here once approved.'));
    await client.views.open({ trigger_id: who.triggerId, view: templatePickModal(contact.waId, contactPlainName(contact, 100), list) as never });
  }

  on.action<BlockAction<ButtonAction>>(TEMPLATE_ACTIONS.open, async ({ ack, action, body, client }) => {
    await ack();
    const who: Asker = { userId: body.user.id, channel: body.channel?.id ?? body.container?.channel_id ?? '', threadTs: body.message?.thread_ts ?? body.container?.thread_ts, triggerId: body.trigger_id };
    await openPicker(client, await contactOf(action.value), who);
  });

  on.shortcut<MessageShortcut>(TEMPLATE_SHORTCUT, async ({ ack, shortcut, client }) => {
    await ack();
    const who: Asker = { userId: shortcut.user.id, channel: shortcut.channel.id, threadTs: shortcut.message.thread_ts ?? shortcut.message.ts, triggerId: shortcut.trigger_id };
    if (!catalog()) return void (await tell(client, who, NO_TEMPLATES_HERE));
    const contact = await deps.repos.contacts.findBySlackThread(shortcut.channel.id, shortcut.message.thread_ts ?? shortcut.message.ts);
    if (!contact) return void (await tell(client, who, 'Use this on a message in a WhatsApp conversation thread.'));
    await openPicker(client, contact, who);
  });

  on.view(TEMPLATE_PICK_MODAL, async ({ ack, view }) => {
    const contact = await contactOf(meta(view.private_metadata).waId);
    const template = findTemplate(view.state.values.template?.pick?.selected_option?.value);
    if (!contact) return void (await ack({ response_action: 'errors', errors: { template: 'That contact no longer exists.' } }));
    if (!template) return void (await ack({ response_action: 'errors', errors: { template: 'That template is no longer approved; pick another.' } }));
    await ack({ response_action: 'update', view: templateSendModal(contact.waId, template, initialParams(template, contactPlainName(contact))) as never });
  });

  on.view(TEMPLATE_SEND_MODAL, async ({ ack, view, body, client, context }) => {
    const m = meta(view.private_metadata);
    const contact = await contactOf(m.waId);
    const template = findTemplate(m.template);
    const field = (text: string) => ack({ response_action: 'errors', errors: { [template && template.params.length > 0 ? 'params' : 'preview']: text } });
    if (!contact?.slack) return void (await field('That contact no longer exists.'));
    if (!template) return void (await field('That template is no longer approved; pick another.'));
    const params = typedParams(view.state.values.params?.value?.value);
    // Counted here, not by WhatsApp: a wrong count is error 132000 after the send (Chatwoot #13257).
    if (params.length !== template.params.length) {
      const list = template.params.map((p) => `{{${p}}}`).join(', ');
      return void (await field(`This template takes ${template.params.length} parameter${template.params.length === 1 ? '' : 's'} (${list}), one per line; ${params.length} given.`));
    }
    const empty = params.findIndex((p) => p === '');
    if (empty >= 0) return void (await field(`Parameter {{${template.params[empty]}}} is empty.`));
    const at = deps.clock();
    const gate = await checkTemplateConsent({ contacts: deps.repos.contacts, ledger: deps.repos.consentLedger }, contact, template.category);
    if (!gate.allowed) {
      await deps.repos.audit.record({ actor: body.user.id, action: 'template', args: { contact: contact.waId, template: template.name, category: template.category }, outcome: 'refused', at });
      return void (await field(`${gate.reason}.`));
    }
    await ack();
    const preview = fillTemplate(template, params);
    const posted = await client.chat.postMessage({
      channel: contact.slack.channel,
      thread_ts: contact.slack.threadTs,
      text: `:page_facing_up: <@${body.user.id}> sent the template \`${escapeMrkdwn(template.name)}\`:\n${escapeMrkdwn(preview)}`,
      unfurl_links: false,
    });
    await deps.repos.messages.recordOutbound({
      contactWaId: contact.waId,
      body: preview,
      template: { name: template.name, language: template.language, category: template.category, params, ...(template.named ? { paramNames: template.params } : {}) },
      purpose: 'reply',
      via: 'modal',
      slack: { channel: contact.slack.channel, ts: posted.ts! },
      agent: body.user.id,
      at,
      state: 'pending',
    });
    await deps.repos.audit.record({ actor: body.user.id, action: 'template', args: { contact: contact.waId, template: template.name, category: template.category }, outcome: 'ok', at });
    requestLog(context, deps.logger).info({ contact: contact.waId, template: templateKey(template) }, 'template queued');
    deps.bridge.wakeOutbound(contact.waId);
  });
}
