import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import type { Plan } from '../../../broadcast/plan';
import { templateParamsFor } from '../../../broadcast/broadcast-runner';
import { gatewayRules } from '../../../broadcast/planner';
import type { BroadcastMessage } from '../../../domain/broadcast';
import { isAppError } from '../../../errors';
import { cloudBehind } from '../../../whatsapp/cloud/cloud-registry';
import { fillTemplate, type CloudTemplate } from '../../../whatsapp/cloud/template-catalog';
import {
  BROADCAST_COMPOSE_MODAL,
  BROADCAST_PREVIEW_MODAL,
  COMPOSE_ACTION,
  COMPOSE_FIELDS,
  broadcastComposeModal,
  broadcastNotCreatedModal,
  broadcastPreviewModal,
  broadcastSummaryBlocks,
  type BroadcastFormDraft,
} from '../../blocks/broadcast-modal';
import { templateKey, typedParams } from '../../blocks/template-modal';
import { requestLog } from '../../request-context';
import type { Listeners } from '../listener-table';
import { postForApproval } from './broadcast-approval';

type Deps = Pick<AppDeps, 'repos' | 'logger' | 'clock' | 'config' | 'broadcasts' | 'bridge' | 'gateway'>;

/** A time this far in the past still counts as now (the form took a while to fill), as in the core. */
const PAST_GRACE_MS = 60_000;
const LEAD_ONLY = { role: 'lead' as const, what: 'send broadcasts' };

/** Opens the form with the labels and quick replies as they are now; `/wa broadcast` and App Home's button (both lead-only) call it. */
export async function openBroadcastCompose(deps: Pick<Deps, 'repos' | 'config' | 'gateway'>, client: webApi.WebClient, triggerId: string): Promise<void> {
  const [labels, quickReplies] = await Promise.all([deps.repos.labels.list(), deps.repos.quickReplies.list()]);
  const templates = catalogOf(deps)
    ?.list()
    .map((t) => ({ key: templateKey(t), text: `${t.name} · ${t.language} · ${t.category.toLowerCase()}` }));
  await client.views.open({ trigger_id: triggerId, view: broadcastComposeModal({ labels: labels.map((l) => l.name), quickReplies, ...(templates ? { templates } : {}), timeZone: deps.config.reportsTimezone }) });
}

/** On the Cloud API a broadcast is a template (a business may start a conversation only with one); elsewhere a quick reply. */
function catalogOf(deps: Pick<Deps, 'config' | 'gateway'>) {
  return deps.config.whatsapp.gateway === 'cloud' ? cloudBehind(deps.gateway)?.templates : undefined;
}

/**
 * Whether a template carries an opt-out button (a quick reply whose words opt out, see the catalog):
 * without one there is no way to opt out of it, which the opt-out line gives a text broadcast.
 */
function hasOptOutButton(template: CloudTemplate): boolean {
  return template.optOutButton;
}

type Values = Record<string, Record<string, { value?: string | null; selected_options?: Array<{ value: string }>; selected_option?: { value: string } | null; selected_date_time?: number | null }>>;

/** The typed form, checked field by field: a draft, or errors by block id. */
async function checkForm(deps: Deps, values: Values): Promise<{ draft: BroadcastFormDraft; message: BroadcastMessage; sample: (name: string) => string } | { errors: Record<string, string> }> {
  const field = (block: string) => values[block]?.[COMPOSE_ACTION];
  const errors: Record<string, string> = {};
  const name = (field(COMPOSE_FIELDS.name)?.value ?? '').trim();
  if (!name) errors[COMPOSE_FIELDS.name] = 'Give it a name, so the team can tell broadcasts apart.';
  const labels = [...new Set((field(COMPOSE_FIELDS.labels)?.selected_options ?? []).map((o) => o.value))];
  const known = new Set((await deps.repos.labels.list()).map((l) => l.name));
  const unknown = labels.filter((l) => !known.has(l));
  if (labels.length === 0) errors[COMPOSE_FIELDS.labels] = 'Pick at least one label.';
  else if (unknown.length > 0) errors[COMPOSE_FIELDS.labels] = `No label ${unknown.map((l) => `"${l}"`).join(', ')} any more (deleted or renamed?): pick from the list again.`;
  const seconds = field(COMPOSE_FIELDS.sendAt)?.selected_date_time;
  const sendAt = typeof seconds === 'number' ? seconds * 1000 : undefined;
  if (sendAt !== undefined && sendAt < deps.clock().getTime() - PAST_GRACE_MS) errors[COMPOSE_FIELDS.sendAt] = 'That time is in the past: pick a later one, or leave it empty to send now.';
  const includeInactive = (field(COMPOSE_FIELDS.inactive)?.selected_options ?? []).some((o) => o.value === 'include');
  const picked: Pick<BroadcastFormDraft, 'quickReply' | 'template' | 'params'> = catalogOf(deps)
    ? { template: field(COMPOSE_FIELDS.template)?.selected_option?.value ?? '', params: typedParams(field(COMPOSE_FIELDS.params)?.value) }
    : { quickReply: field(COMPOSE_FIELDS.quickReply)?.selected_option?.value ?? '' };
  const draft: BroadcastFormDraft = { name, labels, includeInactive, ...picked, ...(sendAt !== undefined ? { sendAt } : {}) };
  const message = await messageFor(deps, draft);
  if ('error' in message) errors[message.field] = message.error;
  if (Object.keys(errors).length > 0 || 'error' in message) return { errors };
  return { draft, ...message };
}

/**
 * The message a draft names, as it is now (the quick reply or template may have changed or gone
 * since the form was opened), with the text one named recipient sees; or why not, and at which field.
 */
async function messageFor(deps: Deps, draft: BroadcastFormDraft): Promise<{ message: BroadcastMessage; sample: (name: string) => string } | { field: string; error: string }> {
  const catalog = catalogOf(deps);
  if (!catalog) {
    const shortcut = draft.quickReply ?? '';
    const reply = shortcut ? await deps.repos.quickReplies.findByShortcut(shortcut) : null;
    if (!reply) return { field: COMPOSE_FIELDS.quickReply, error: shortcut ? `The quick reply "${shortcut}" no longer exists: pick another.` : 'Pick a quick reply.' };
    const message: BroadcastMessage = { kind: 'text', quickReply: reply.shortcut, body: reply.body };
    return { message, sample: (name) => deps.bridge.broadcasts.textFor({ message }, { name }) ?? reply.body };
  }
  const [templateName, language] = (draft.template ?? '').split('|');
  const template = templateName && language ? catalog.find(templateName, language) : undefined;
  if (!template) return { field: COMPOSE_FIELDS.template, error: draft.template ? 'That template is no longer approved; pick another.' : 'Pick a template.' };
  if (!hasOptOutButton(template)) {
    return {
      field: COMPOSE_FIELDS.template,
      error: `"${template.name}" has no opt-out button, and a template's text cannot be changed to add the opt-out line. Add a Marketing opt-out button to it in WhatsApp Manager, or pick another.`,
    };
  }
  const params = draft.params ?? [];
  // Counted here, not by WhatsApp: a wrong count fails every single send afterwards.
  if (params.length !== template.params.length || params.some((p) => p === '')) {
    const list = template.params.map((p) => `{{${p}}}`).join(', ');
    return { field: COMPOSE_FIELDS.params, error: `This template takes ${template.params.length} parameter${template.params.length === 1 ? '' : 's'}${list ? ` (${list})` : ''}, one per line; ${params.filter(Boolean).length} given.` };
  }
  const message: BroadcastMessage = {
    kind: 'template',
    template: { name: template.name, language: template.language, category: template.category, params, ...(template.named ? { paramNames: template.params } : {}) },
    hasOptOutButton: true,
  };
  return { message, sample: (name) => `${fillTemplate(template, templateParamsFor(params, { name }))}\n[opt-out button]` };
}

/** Why this plan cannot be sent (the core refuses the same at create), or null. */
function planProblem(deps: Deps, plan: Plan): string | null {
  if (plan.recipients.length === 0) return 'Nobody in this audience can receive a broadcast: every contact is left out (see the reasons in the preview). Pick other labels.';
  const limit = gatewayRules(deps.config.whatsapp.gateway).limit;
  const over = plan.excluded.over_limit ?? 0;
  if (limit !== undefined && over > 0) {
    return `WhatsApp Web sends a broadcast to at most ${limit} people, and this audience has ${plan.recipients.length + over}. Narrow it with labels, or use the WhatsApp Cloud API (WHATSAPP_GATEWAY=cloud), which has no such limit.`;
  }
  return null;
}

function previewBlocks(deps: Deps, draft: BroadcastFormDraft, sample: (name: string) => string, plan: Plan): object[] {
  const first = plan.recipients[0];
  return broadcastSummaryBlocks({
    name: draft.name,
    labels: draft.labels,
    includeInactive: draft.includeInactive,
    planned: { recipients: plan.recipients.length, excluded: plan.excluded },
    sample: { name: first?.name ?? 'the first recipient', text: sample(first?.name ?? '') },
    ...(draft.sendAt !== undefined ? { sendAt: new Date(draft.sendAt) } : {}),
    timeZone: deps.config.reportsTimezone,
    approvalOver: deps.config.broadcasts.approvalOver,
  });
}

function parseDraft(raw: string): BroadcastFormDraft | null {
  try {
    const d = JSON.parse(raw || '{}') as Partial<BroadcastFormDraft>;
    if (typeof d.name !== 'string' || !Array.isArray(d.labels)) return null;
    return {
      name: d.name,
      labels: d.labels.map(String),
      includeInactive: d.includeInactive === true,
      ...(typeof d.quickReply === 'string' ? { quickReply: d.quickReply } : {}),
      ...(typeof d.template === 'string' ? { template: d.template, params: Array.isArray(d.params) ? d.params.map(String) : [] } : {}),
      ...(typeof d.sendAt === 'number' ? { sendAt: d.sendAt } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * The form and its preview. Submitting the form creates nothing: it is checked field by field, then
 * the preview replaces it (counts by reason, the text as a named recipient gets it). The preview's
 * submit plans again and creates it, so what is created is the audience as it is then, not as it
 * was a minute ago. Both submissions are checked for leads when they come (by the listener table).
 */
export function registerBroadcastCompose(on: Listeners, deps: Deps): void {
  on.view(
    BROADCAST_COMPOSE_MODAL,
    async ({ ack, view }) => {
      const checked = await checkForm(deps, view.state.values as Values);
      if ('errors' in checked) return void (await ack({ response_action: 'errors', errors: checked.errors }));
      const { draft, sample } = checked;
      const plan = await deps.broadcasts.preview({ labels: draft.labels, includeInactive: draft.includeInactive });
      const problem = planProblem(deps, plan);
      if (problem) return void (await ack({ response_action: 'errors', errors: { [COMPOSE_FIELDS.labels]: problem } }));
      await ack({ response_action: 'update', view: broadcastPreviewModal(draft, previewBlocks(deps, draft, sample, plan)) });
    },
    { ...LEAD_ONLY, action: BROADCAST_COMPOSE_MODAL },
  );

  on.view(
    BROADCAST_PREVIEW_MODAL,
    async ({ ack, view, body, client, context }) => {
      const notCreated = (reason: string) => ack({ response_action: 'update', view: broadcastNotCreatedModal(reason) });
      const draft = parseDraft(view.private_metadata);
      if (!draft) return void (await notCreated('This preview could not be read.'));
      const resolved = await messageFor(deps, draft);
      if ('error' in resolved) return void (await notCreated(resolved.error));
      const author = body.user.id;
      let created;
      try {
        created = await deps.broadcasts.create({
          name: draft.name,
          author,
          audience: { labels: draft.labels, includeInactive: draft.includeInactive },
          message: resolved.message,
          ...(draft.sendAt !== undefined ? { sendAt: new Date(draft.sendAt) } : {}),
        });
      } catch (err) {
        // The audience or the clock moved since the preview: said here, nothing created.
        if (isAppError(err) && ['BROADCAST_EMPTY', 'BROADCAST_TOO_LARGE', 'BAD_ARGUMENTS'].includes(err.code)) return void (await notCreated(err.message));
        throw err;
      }
      const { broadcast, plan } = created;
      await deps.repos.audit.record({
        actor: author,
        action: 'broadcast_create',
        args: { broadcast: broadcast.id, name: broadcast.name, labels: draft.labels, recipients: plan.recipients.length, state: broadcast.state },
        outcome: 'ok',
        at: deps.clock(),
      });
      await ack();
      const log = requestLog(context, deps.logger);
      log.info({ broadcast: broadcast.id, recipients: plan.recipients.length, state: broadcast.state }, 'broadcast created');
      const summary = previewBlocks(deps, draft, resolved.sample, plan);
      const awaiting = broadcast.state === 'awaiting_approval';
      let where = '';
      if (awaiting) where = await postForApproval(deps, client, broadcast, summary, log);
      const when = draft.sendAt !== undefined ? 'scheduled' : 'on its way';
      const text = awaiting
        ? `Broadcast “${broadcast.name}” to ${plan.recipients.length} people is waiting for a second lead's approval ${where}.`
        : `Broadcast “${broadcast.name}” to ${plan.recipients.length} people is ${when}.`;
      try {
        const dm = await client.conversations.open({ users: author });
        await client.chat.postMessage({ channel: dm.channel!.id!, text });
      } catch (err) {
        // Created all the same: the confirmation is a courtesy, and the audit keeps it.
        log.warn({ err }, 'could not confirm the broadcast to its author');
      }
    },
    { ...LEAD_ONLY, action: BROADCAST_PREVIEW_MODAL },
  );
}
