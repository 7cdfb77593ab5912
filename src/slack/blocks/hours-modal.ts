import type { types } from '@slack/bolt';
import { AUTO_REPLY_KINDS, AUTO_REPLY_VARIABLES, type AutoReplyKind, type AutoReplyText } from '../../auto-reply/auto-reply-settings';
import { WEEKDAYS, type Weekday } from '../../hours/business-hours';
import { escapeMrkdwnWithin } from '../mrkdwn';
import { modal } from './modal';

export const HOURS_MODAL = 'hours_modal';
/**
 * Every field's action_id: each one dispatches (as it is typed into) to the one preview listener.
 * The block ids below tell the fields apart, and are the keys a validation error is reported under.
 */
export const HOURS_FORM_ACTION = 'hours_form';
export const HOURS_BLOCKS = {
  day: (day: Weekday) => `hours_${day}`,
  closedDates: 'closed_dates',
  enabled: (kind: AutoReplyKind) => `${kind}_on`,
  text: (kind: AutoReplyKind) => `${kind}_text`,
} as const;

/** The form as typed: a text per weekday, the closed dates, each reply's switch and text. */
export interface HoursForm {
  days: Record<Weekday, string>;
  closedDates: string;
  replies: Record<AutoReplyKind, AutoReplyText>;
}

/** Each text filled in for the example contact, or why it cannot be (`away` needs valid hours). */
export interface HoursPreview {
  /** "Wed 18:00, closed — opens Thu 09:00", or why the hours cannot be read. */
  now: string;
  texts: Record<AutoReplyKind, string>;
}

/** The contact the preview is written for. */
export const EXAMPLE_CONTACT = 'Maria Silva';

const DAY_NAMES: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const KINDS: Record<AutoReplyKind, { name: string; when: string }> = {
  greeting: { name: 'Greeting', when: 'On: sent to a contact’s first message, or their first after a long silence' },
  away: { name: 'Away message', when: 'On: sent to a message that comes while the team is closed (at most every few hours)' },
  help: { name: 'HELP / INFO answer', when: 'On: sent when a contact writes HELP or INFO' },
};
/** Slack's most for a plain_text_input (the texts themselves may be up to 4,000 when stored otherwise). */
const INPUT_MAX = 3_000;
/** Room for a preview in a section (Slack takes 3,000 characters), its heading included. */
const PREVIEW_MAX = 2_800;

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const context = (blockId: string, text: string) => ({ type: 'context' as const, block_id: blockId, elements: [{ type: 'mrkdwn' as const, text }] });
// Dispatching on each character (Slack waits for a pause in typing) keeps the preview live.
const LIVE = { trigger_actions_on: ['on_enter_pressed', 'on_character_entered'] };

function textInput(blockId: string, label: string, initial: string, o: { multiline?: boolean; placeholder?: string; hint?: string; optional?: boolean }) {
  return {
    type: 'input' as const,
    block_id: blockId,
    optional: o.optional ?? true,
    dispatch_action: true,
    label: plain(label),
    ...(o.hint ? { hint: plain(o.hint) } : {}),
    element: {
      type: 'plain_text_input' as const,
      action_id: HOURS_FORM_ACTION,
      dispatch_action_config: LIVE,
      ...(o.multiline ? { multiline: true, max_length: INPUT_MAX } : {}),
      ...(initial ? { initial_value: initial } : {}),
      ...(o.placeholder ? { placeholder: plain(o.placeholder) } : {}),
    },
  };
}

/**
 * `/wa hours edit` and App Home's "Edit hours and automatic replies": the week, the closed dates and
 * the three automatic replies in one form, so one Save changes them together or not at all.
 */
export function hoursModal(form: HoursForm, preview: HoursPreview, o: { timeZone: string; scheduleSet: boolean }): types.ModalView {
  const variables = AUTO_REPLY_VARIABLES.map((v) => `{{${v}}}`).join(', ');
  const on = { value: 'on', text: plain('On') };
  return modal({
    callbackId: HOURS_MODAL,
    title: 'Hours & auto-replies',
    submit: 'Save',
    blocks: [
      context('intro', `Times are in *${o.timeZone}*. For each day type its opening spans, like \`09:00-17:00, 18:00-20:00\` (\`22:00-02:00\` runs past midnight), or \`closed\`; empty is closed too.`),
      ...(o.scheduleSet ? [] : [context('unset', ':information_source: No hours are set yet. Saving sets these: with every day empty the team counts as closed all week.')]),
      ...WEEKDAYS.map((day) => textInput(HOURS_BLOCKS.day(day), DAY_NAMES[day], form.days[day], { placeholder: '09:00-17:00 or closed' })),
      textInput(HOURS_BLOCKS.closedDates, 'Closed dates', form.closedDates, { multiline: true, placeholder: '2026-12-25', hint: 'Holidays: one date YYYY-MM-DD a line, or comma separated. The team is closed all that day.' }),
      { type: 'divider' },
      ...AUTO_REPLY_KINDS.flatMap((kind) => {
        const option = { ...on, description: plain(KINDS[kind].when) };
        return [
          {
            type: 'input',
            block_id: HOURS_BLOCKS.enabled(kind),
            optional: true,
            dispatch_action: true,
            label: plain(KINDS[kind].name),
            element: { type: 'checkboxes', action_id: HOURS_FORM_ACTION, options: [option], ...(form.replies[kind].enabled ? { initial_options: [option] } : {}) },
          },
          textInput(HOURS_BLOCKS.text(kind), `${KINDS[kind].name} text`, form.replies[kind].text, { multiline: true, optional: false }),
          context(`${kind}_vars`, `Variables: ${variables}`),
        ];
      }),
      { type: 'divider' },
      { type: 'header', block_id: 'preview_head', text: plain('Preview') },
      context('preview_now', `As ${EXAMPLE_CONTACT} would read them. Now: ${preview.now}.`),
      ...AUTO_REPLY_KINDS.map((kind) => ({
        type: 'section',
        block_id: `preview_${kind}`,
        text: { type: 'mrkdwn', text: `*${KINDS[kind].name}*${form.replies[kind].enabled ? '' : ' (off: not sent)'}\n${escapeMrkdwnWithin(preview.texts[kind], PREVIEW_MAX)}` },
      })),
    ],
  });
}
