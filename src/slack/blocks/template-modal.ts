import type { CloudTemplate } from '../../whatsapp/cloud/template-catalog';
import { fillTemplate } from '../../whatsapp/cloud/template-catalog';
import { modal } from './modal';

export const TEMPLATE_PICK_MODAL = 'template_pick_modal';
export const TEMPLATE_SEND_MODAL = 'template_send_modal';
/** Slack's limits: 100 options per select, 75 characters per option text, 3,000 per text block. */
const MAX_OPTIONS = 100;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
export const templateKey = (t: Pick<CloudTemplate, 'name' | 'language'>) => `${t.name}|${t.language}`;

/** Step 1: which approved template (name, language and category shown). */
export function templatePickModal(waId: string, recipient: string, templates: CloudTemplate[]): object {
  return modal({
    callbackId: TEMPLATE_PICK_MODAL,
    metadata: { waId },
    title: 'Send a template',
    submit: 'Next',
    blocks: [
      {
        type: 'input',
        block_id: 'template',
        label: { type: 'plain_text', text: clip(`Template for ${recipient}`, 150) },
        element: {
          type: 'static_select',
          action_id: 'pick',
          placeholder: { type: 'plain_text', text: 'Type to search' },
          options: templates.slice(0, MAX_OPTIONS).map((t) => ({ text: { type: 'plain_text', text: clip(`${t.name} · ${t.language} · ${t.category.toLowerCase()}`, 75) }, value: templateKey(t) })),
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Only templates WhatsApp approved are listed. Marketing templates go only to contacts who confirmed their opt-in.' }] },
    ],
  });
}

/**
 * Step 2: the parameters, one per line, the first (or one named like a name) filled with the
 * contact's name; and a preview of the message with them filled in.
 */
export function templateSendModal(waId: string, template: CloudTemplate, initial: string[]): object {
  const list = template.params.map((p) => `{{${p}}}`).join(', ');
  return modal({
    callbackId: TEMPLATE_SEND_MODAL,
    metadata: { waId, template: templateKey(template) },
    title: 'Send a template',
    submit: 'Send',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${template.name}* · ${template.language} · ${template.category.toLowerCase()}` } },
      ...(template.params.length > 0
        ? [
            {
              type: 'input',
              block_id: 'params',
              label: { type: 'plain_text', text: clip(`Parameters ${list}, one per line`, 150) },
              element: { type: 'plain_text_input', action_id: 'value', multiline: true, ...(initial.some(Boolean) ? { initial_value: initial.join('\n') } : {}) },
            },
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: '*Preview*' }] },
      { type: 'section', block_id: 'preview', text: { type: 'plain_text', text: clip(fillTemplate(template, initial) || '(empty template)', 3000) } },
    ],
  });
}

/** The parameters typed: one per line, trailing empty lines dropped. */
export function typedParams(value: string | null | undefined): string[] {
  const lines = (value ?? '').split('\n').map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The starting values: the contact's name where the parameter is the first or named like a name; the rest typed. */
export function initialParams(template: CloudTemplate, name: string): string[] {
  const named = template.params.findIndex((p) => /name/i.test(p));
  const at = named >= 0 ? named : template.params.length > 0 ? 0 : -1;
  return template.params.map((_, i) => (i === at ? name : ''));
}
