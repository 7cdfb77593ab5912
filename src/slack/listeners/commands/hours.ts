import type { AppDeps } from '../../../app-deps';
import { AppError } from '../../../errors';
import { WEEKDAYS, describeOpening, minutesOf, openState, spanEnd, type BusinessHours, type Span } from '../../../hours/business-hours';
import { createHoursStore } from '../../../hours/hours-store';
import { wallClockIn } from '../../../time-zone';
import { openHoursModal } from '../actions/hours-modal';
import type { Subcommand } from './subcommand';

type HoursDeps = Pick<AppDeps, 'repos' | 'logger' | 'clock' | 'config'>;

const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

function spanText(span: Span): string {
  return `${span.from}–${span.to}${spanEnd(span) > 1440 ? ' (overnight)' : ''}`;
}

/** One line per weekday: `Mon 09:00–17:00`, `Tue closed`. */
function weekLines(hours: BusinessHours): string[] {
  return WEEKDAYS.map((day, i) => {
    const spans = [...hours[day]].sort((a, b) => minutesOf(a.from) - minutesOf(b.from));
    return `${DAY_LABELS[i]} ${spans.length === 0 ? 'closed' : spans.map(spanText).join(', ')}`;
  });
}

/** 'open now' or 'closed — opens Tue 09:00' at the injected clock's now; null when no schedule is set. */
export async function openingNow(deps: HoursDeps): Promise<string | null> {
  const hours = await createHoursStore({ settings: deps.repos.settings, logger: deps.logger }).load();
  if (!hours) return null;
  const zone = deps.config.reportsTimezone;
  return describeOpening(openState(hours, deps.clock(), zone), zone);
}

/**
 * `/wa hours`: the weekly schedule, the coming closed dates and whether the team is open now. Everyone
 * may run it; `/wa hours edit` (leads) opens the modal for the hours and the automatic replies.
 */
export function hoursSubcommand(deps: HoursDeps): Subcommand {
  return {
    name: 'hours',
    usage: '/wa hours',
    summary: 'business hours: the weekly schedule, closed dates and whether the team is open now; leads change them and the automatic replies with /wa hours edit',
    leadOnly: (args) => args[0]?.toLowerCase() === 'edit',
    async run({ args, respond, client, triggerId }) {
      const verb = args[0]?.toLowerCase();
      if (verb === 'edit') return openHoursModal(deps, client, triggerId);
      if (verb !== undefined) throw new AppError('BAD_ARGUMENTS', 'Say `/wa hours` to see the hours, or `/wa hours edit` (team leads) to change them.');
      const hours = await createHoursStore({ settings: deps.repos.settings, logger: deps.logger }).load();
      if (!hours) {
        await respond({ response_type: 'ephemeral', text: 'No business hours are set, so the team is never shown as open or closed. Team leads will set them.' });
        return;
      }
      const zone = deps.config.reportsTimezone;
      const now = deps.clock();
      // Dates are compared as 'YYYY-MM-DD' in the team's zone, so today's closure still shows.
      const today = new Date(wallClockIn(zone)(now.getTime()).asUtc).toISOString().slice(0, 10);
      const coming = hours.closedDates.filter((date) => date >= today).sort();
      const lines = [
        `*Business hours* (${zone}) — ${describeOpening(openState(hours, now, zone), zone)}`,
        ...weekLines(hours),
        `*Closed dates:* ${coming.length === 0 ? 'none coming' : coming.join(', ')}`,
      ];
      await respond({ response_type: 'ephemeral', text: lines.join('\n') });
    },
  };
}
