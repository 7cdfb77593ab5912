import type { types } from '@slack/bolt';
import type { Plan } from '../../broadcast/plan';
import { EXCLUSION_LABELS, EXCLUSION_REASONS, type Broadcast } from '../../domain/broadcast';
import { escapeMrkdwn } from '../mrkdwn';
import { modal } from './modal';

export const BROADCAST_COMPOSE_MODAL = 'broadcast_compose';
export const BROADCAST_PREVIEW_MODAL = 'broadcast_preview';
export const BROADCAST_APPROVAL_ACTIONS = { approve: 'broadcast_approve', reject: 'broadcast_reject' } as const;
/** Block ids of the compose form, which are also the keys its errors are reported under. */
export const COMPOSE_FIELDS = { name: 'bc_name', labels: 'bc_labels', inactive: 'bc_inactive', quickReply: 'bc_quick_reply', template: 'bc_template', params: 'bc_params', sendAt: 'bc_send_at' } as const;
/** Every element's action id (the block id tells them apart). */
export const COMPOSE_ACTION = 'value';

/** Slack's limits: 100 options per select, 75 characters per option text, 3,000 per text block. */
const MAX_OPTIONS = 100;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const option = (text: string, value: string) => ({ text: { type: 'plain_text' as const, text: clip(text, 75) }, value });

/** What the preview keeps of the form (its private_metadata): enough to plan and create it again. */
export interface BroadcastFormDraft {
  name: string;
  labels: string[];
  includeInactive: boolean;
  /** The message: a quick reply's shortcut (WhatsApp Web), or a template's `name|language` and its parameters (Cloud API). */
  quickReply?: string;
  template?: string;
  params?: string[];
  /** Epoch ms; absent: now. */
  sendAt?: number;
}

/** The message part of the form: a quick reply, or on the Cloud API (where a business starts a conversation only with one) a template. */
function messageBlocks(o: { quickReplies: Array<{ shortcut: string; body: string }>; templates?: Array<{ key: string; text: string }> }): object[] {
  if (!o.templates) {
    return [
      {
        type: 'input',
        block_id: COMPOSE_FIELDS.quickReply,
        label: { type: 'plain_text', text: 'Message: a quick reply' },
        hint: { type: 'plain_text', text: 'Its variables ({{first_name}}, {{name}}) are filled per recipient; the opt-out line is added at the end.' },
        element: { type: 'static_select', action_id: COMPOSE_ACTION, options: o.quickReplies.slice(0, MAX_OPTIONS).map((q) => option(`${q.shortcut} · ${q.body}`, q.shortcut)) },
      },
    ];
  }
  return [
    {
      type: 'input',
      block_id: COMPOSE_FIELDS.template,
      label: { type: 'plain_text', text: 'Message: an approved template' },
      hint: { type: 'plain_text', text: 'It must carry an opt-out button: a template cannot be changed to add the opt-out line.' },
      element: { type: 'static_select', action_id: COMPOSE_ACTION, options: o.templates.slice(0, MAX_OPTIONS).map((t) => option(t.text, t.key)) },
    },
    {
      type: 'input',
      block_id: COMPOSE_FIELDS.params,
      optional: true,
      label: { type: 'plain_text', text: 'Template parameters, one per line ({{first_name}} is filled per person)' },
      element: { type: 'plain_text_input', action_id: COMPOSE_ACTION, multiline: true },
    },
  ];
}

/** `/wa broadcast` and App Home's New broadcast: the form (`templates` given on the Cloud API). */
export function broadcastComposeModal(o: { labels: string[]; quickReplies: Array<{ shortcut: string; body: string }>; templates?: Array<{ key: string; text: string }>; timeZone: string }): types.ModalView {
  return modal({
    callbackId: BROADCAST_COMPOSE_MODAL,
    title: 'New broadcast',
    submit: 'Preview',
    blocks: [
      { type: 'input', block_id: COMPOSE_FIELDS.name, label: { type: 'plain_text', text: 'Name (for the team, not sent)' }, element: { type: 'plain_text_input', action_id: COMPOSE_ACTION, max_length: 80 } },
      {
        type: 'input',
        block_id: COMPOSE_FIELDS.labels,
        label: { type: 'plain_text', text: 'Audience: contacts with all of these labels' },
        hint: { type: 'plain_text', text: 'Only contacts who confirmed their opt-in receive it; the preview counts everyone left out, by reason.' },
        element: { type: 'multi_static_select', action_id: COMPOSE_ACTION, options: o.labels.slice(0, MAX_OPTIONS).map((l) => option(l, l)) },
      },
      {
        type: 'input',
        block_id: COMPOSE_FIELDS.inactive,
        optional: true,
        label: { type: 'plain_text', text: 'Inactive contacts' },
        element: { type: 'checkboxes', action_id: COMPOSE_ACTION, options: [option('Include contacts flagged inactive', 'include')] },
      },
      ...messageBlocks(o),
      {
        type: 'input',
        block_id: COMPOSE_FIELDS.sendAt,
        optional: true,
        label: { type: 'plain_text', text: 'When (empty: now)' },
        hint: { type: 'plain_text', text: `Leave empty to send now. The preview shows the time in the team's zone (${o.timeZone}, TZ_REPORTS); quiet hours hold each send until the contact's morning.` },
        element: { type: 'datetimepicker', action_id: COMPOSE_ACTION },
      },
    ],
  });
}

/** An instant in the team's zone: "Mon 30 Nov 2026, 10:00 (Europe/London)". */
export function teamTime(at: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${text} (${timeZone})`;
}

/** What a lead reads before a broadcast exists, and what an approver reads: who gets it, who not and why, the text, when. */
export function broadcastSummaryBlocks(o: {
  name: string;
  labels: string[];
  includeInactive: boolean;
  planned: Pick<Plan, 'excluded'> & { recipients: number };
  sample?: { name: string; text: string };
  sendAt?: Date;
  timeZone: string;
  approvalOver: number;
}): object[] {
  const reasons = EXCLUSION_REASONS.filter((r) => (o.planned.excluded[r] ?? 0) > 0).map((r) => `• ${o.planned.excluded[r]} ${EXCLUSION_LABELS[r]}`);
  const needsApproval = o.planned.recipients > o.approvalOver;
  const audience = `${o.labels.map((l) => `\`${escapeMrkdwn(l)}\``).join(' + ')}${o.includeInactive ? ', inactive included' : ''}`;
  return [
    { type: 'section', block_id: 'bc_summary', text: { type: 'mrkdwn', text: clip(`*${escapeMrkdwn(o.name)}* · audience ${audience}\n*${o.planned.recipients}* will receive it.`, 3000) } },
    { type: 'section', block_id: 'bc_excluded', text: { type: 'mrkdwn', text: reasons.length ? `*Left out:*\n${reasons.join('\n')}` : 'Nobody in the audience is left out.' } },
    ...(o.sample ? [{ type: 'section', block_id: 'bc_sample', text: { type: 'mrkdwn', text: clip(`*As ${escapeMrkdwn(o.sample.name)} will see it:*\n>${escapeMrkdwn(o.sample.text).replace(/\n/g, '\n>')}`, 3000) } }] : []),
    {
      type: 'context',
      block_id: 'bc_when',
      elements: [
        {
          type: 'mrkdwn',
          text: `${o.sendAt ? `Goes out ${teamTime(o.sendAt, o.timeZone)}` : 'Goes out now'}, paced, outside quiet hours. ${
            needsApproval ? `:raised_hand: Over ${o.approvalOver} recipients: a second lead must approve it first.` : 'No approval needed.'
          }`,
        },
      ],
    },
  ];
}

/** Step 2: the preview; its submit creates the broadcast. */
export function broadcastPreviewModal(draft: BroadcastFormDraft, blocks: object[]): types.ModalView {
  return modal({ callbackId: BROADCAST_PREVIEW_MODAL, title: 'Broadcast preview', submit: draft.sendAt ? 'Schedule' : 'Send', close: 'Cancel', metadata: draft, blocks });
}

/** The preview's submission could not create it: why, and that nothing was created. */
export function broadcastNotCreatedModal(reason: string): types.ModalView {
  return modal({
    callbackId: 'broadcast_not_created',
    title: 'Broadcast preview',
    close: 'Close',
    blocks: [{ type: 'section', block_id: 'bc_error', text: { type: 'mrkdwn', text: clip(`:warning: ${escapeMrkdwn(reason)}\nNothing was created: start again with \`/wa broadcast\`.`, 3000) } }],
  });
}

/** The approval request in the leads' channel: the summary, then the buttons, or who decided. */
export function approvalMessageBlocks(broadcast: Pick<Broadcast, 'id' | 'author' | 'approvedBy' | 'rejectedBy'>, summary: object[], note?: string): object[] {
  const decided = broadcast.approvedBy ? `:white_check_mark: Approved by <@${broadcast.approvedBy}>.` : broadcast.rejectedBy ? `:x: Rejected by <@${broadcast.rejectedBy}>: nothing will be sent.` : undefined;
  return [
    { type: 'section', block_id: 'bc_request', text: { type: 'mrkdwn', text: `:mega: <@${broadcast.author}> wants to send a broadcast. ${decided ?? 'Another lead must approve it.'}` } },
    ...summary,
    ...(note ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }] : []),
    ...(decided
      ? []
      : [
          {
            type: 'actions',
            block_id: 'bc_approval',
            elements: [
              { type: 'button', action_id: BROADCAST_APPROVAL_ACTIONS.approve, text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: broadcast.id },
              { type: 'button', action_id: BROADCAST_APPROVAL_ACTIONS.reject, text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: broadcast.id },
            ],
          },
        ]),
  ];
}
