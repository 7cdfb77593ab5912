import { AUTO_REPLY_KINDS, fillAutoReply, firstNameOf, parseAutoReplies, type AutoReplySettings } from '../../../auto-reply/auto-reply-settings';
import { WEEKDAYS, describeOpening, openState, weekdayAndTime, type BusinessHours, type Weekday } from '../../../hours/business-hours';
import { parseBusinessHours } from '../../../hours/schedule-input';
import { closedDatesText, parseClosedDatesText, parseDayText, spansText } from '../../../hours/week-text';
import { EXAMPLE_CONTACT, HOURS_BLOCKS, HOURS_FORM_ACTION, type HoursForm, type HoursPreview } from '../../blocks/hours-modal';

/** A modal's state values as Slack sends them: by block id, then action id. */
type StateValues = Record<string, Record<string, { value?: string | null; selected_options?: unknown[] | null }>>;

/** The form filled from what is stored (no schedule yet: every day empty). */
export function formFromStore(hours: BusinessHours | null, replies: AutoReplySettings): HoursForm {
  return {
    days: Object.fromEntries(WEEKDAYS.map((day) => [day, hours ? spansText(hours[day]) : ''])) as Record<Weekday, string>,
    closedDates: hours ? closedDatesText(hours.closedDates) : '',
    replies,
  };
}

/** The form as typed, from a submission's or a keystroke's view state. */
export function formFromState(values: StateValues): HoursForm {
  const field = (block: string) => values[block]?.[HOURS_FORM_ACTION];
  const text = (block: string) => field(block)?.value ?? '';
  return {
    days: Object.fromEntries(WEEKDAYS.map((day) => [day, text(HOURS_BLOCKS.day(day))])) as Record<Weekday, string>,
    closedDates: text(HOURS_BLOCKS.closedDates),
    replies: Object.fromEntries(
      AUTO_REPLY_KINDS.map((kind) => [kind, { enabled: (field(HOURS_BLOCKS.enabled(kind))?.selected_options?.length ?? 0) > 0, text: text(HOURS_BLOCKS.text(kind)) }]),
    ) as AutoReplySettings,
  };
}

export type CheckedHours = { ok: true; hours: BusinessHours } | { ok: false; errors: Record<string, string> };

/** The week and dates as a schedule, or each error under the block it belongs to. */
export function checkHours(form: HoursForm): CheckedHours {
  const errors: Record<string, string> = {};
  const add = (block: string, message: string) => {
    errors[block] = errors[block] ? `${errors[block]}; ${message}` : message;
  };
  const raw: Record<string, unknown> = {};
  for (const day of WEEKDAYS) {
    const read = parseDayText(form.days[day]);
    if (read.ok) raw[day] = read.spans;
    else add(HOURS_BLOCKS.day(day), read.error);
  }
  const dates = parseClosedDatesText(form.closedDates);
  raw.closedDates = dates;
  const parsed = parseBusinessHours(raw);
  if (!parsed.ok) {
    for (const [path, message] of Object.entries(parsed.errors)) {
      const [head, index, end] = path.split('.');
      if (head === 'closedDates') add(HOURS_BLOCKS.closedDates, index === undefined ? message : `${dates[Number(index)]}: ${message}`);
      else if ((WEEKDAYS as readonly string[]).includes(head ?? '')) {
        const span = (raw[head!] as Array<{ from: string; to: string }> | undefined)?.[Number(index)];
        const time = end === 'from' ? 'opening time ' : end === 'to' ? 'closing time ' : '';
        add(HOURS_BLOCKS.day(head as Weekday), span ? `${span.from}-${span.to}: ${time}${message}` : message);
      } else add(HOURS_BLOCKS.day('mon'), message);
    }
  }
  return Object.keys(errors).length > 0 || !parsed.ok ? { ok: false, errors } : { ok: true, hours: parsed.hours };
}

export type CheckedForm = { ok: true; hours: BusinessHours; replies: AutoReplySettings } | { ok: false; errors: Record<string, string> };

/** Both halves checked before anything is saved: one wrong field anywhere and nothing changes. */
export function checkForm(form: HoursForm): CheckedForm {
  const hours = checkHours(form);
  const replies = parseAutoReplies(form.replies);
  const errors: Record<string, string> = hours.ok ? {} : { ...hours.errors };
  if (!replies.ok) {
    for (const [path, message] of Object.entries(replies.errors)) {
      const [kind, field] = path.split('.') as [string, string | undefined];
      const known = (AUTO_REPLY_KINDS as readonly string[]).includes(kind);
      const block = !known ? HOURS_BLOCKS.text('greeting') : field === 'enabled' ? HOURS_BLOCKS.enabled(kind as never) : HOURS_BLOCKS.text(kind as never);
      errors[block] ??= `This text ${message}.`;
    }
  }
  if (!hours.ok || !replies.ok) return { ok: false, errors };
  return { ok: true, hours: hours.hours, replies: replies.settings };
}

/**
 * Each text as the example contact would read it now, `{{opens_at}}` worked out from the hours as
 * typed: the next opening (when open now, the one after today's closing, which is when an away
 * message would go out).
 */
export function previewOf(form: HoursForm, o: { now: Date; timeZone: string; businessName: string }): HoursPreview {
  const hours = checkHours(form);
  let now: string;
  let opensAt: string | undefined;
  if (hours.ok) {
    const state = openState(hours.hours, o.now, o.timeZone);
    const next = state.open ? (state.closesAt ? openState(hours.hours, state.closesAt, o.timeZone) : null) : state;
    opensAt = next && !next.open && next.opensAt ? weekdayAndTime(next.opensAt, o.timeZone) : undefined;
    now = `${weekdayAndTime(o.now, o.timeZone)}, ${describeOpening(state, o.timeZone)}`;
  } else {
    now = 'the hours above are not valid yet, so when the team opens cannot be worked out';
    opensAt = '[the hours above are not valid]';
  }
  const fill = (text: string) => (text.trim() ? fillAutoReply(text, { firstName: firstNameOf(EXAMPLE_CONTACT), opensAt, businessName: o.businessName }) : '(empty)');
  return { now, texts: Object.fromEntries(AUTO_REPLY_KINDS.map((kind) => [kind, fill(form.replies[kind].text)])) as HoursPreview['texts'] };
}
