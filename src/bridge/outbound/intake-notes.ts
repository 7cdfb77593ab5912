import type { Intake } from '../../store/repositories/intake-repository';

/** What an agent is told, privately, about a reply that has not gone out (yet). */
export const NOTES = {
  failed:
    ':warning: Your reply has not been sent to WhatsApp yet: it could not be recorded (the database did not answer). ' +
    'It is retried by itself, nothing to do; the :warning: on it goes once it is on its way.',
  failedModal:
    ':warning: Your reply has not been sent to WhatsApp yet: it could not be recorded (the database did not answer). ' +
    'It is retried by itself, nothing to do.',
  waiting:
    ':warning: Your reply has not been sent to WhatsApp yet: it waits for an earlier reply in this thread that could not be recorded yet. ' +
    'They go out in the order written, by themselves; nothing to do.',
  notTaken:
    ':warning: This reply was NOT taken: it could not be recorded (the database did not answer), so it will not reach WhatsApp. ' +
    'Please send it again in a moment.',
  notTakenModal:
    ':warning: Your reply was NOT taken: it could not be recorded (the database did not answer), so it will not reach WhatsApp. ' +
    'Please send it again in a moment.',
  gaveUp: ':warning: Your reply was not sent to WhatsApp: it could not be recorded for a whole day. Send it again if it still applies.',
  notSent: (reason: string) => `:warning: Your reply was not sent to WhatsApp after all: ${reason}.`,
};

/** Where the ⚠️ goes: the agent's own message, or the app's post of a modal reply once there is one. */
export function warnTarget(intake: Pick<Intake, 'kind' | 'ts' | 'postTs'>): string | undefined {
  return intake.kind === 'thread' ? intake.ts : intake.postTs;
}
