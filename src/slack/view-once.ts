import type { ReceiverEvent } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SeenRequestRepository } from '../store/repositories/seen-request-repository';
import { askInTime, requestKind, STORE_CHECK_MS } from './replay-guard';

/** How long a submitted view is remembered: far beyond any double submission or replay window. */
const KEEP_MS = 24 * 3_600_000;

/** Thrown by `ack()` into the listener of a view submitted before: it stops there, before its effects. */
export class ViewAlreadySubmittedError extends Error {
  readonly code = 'SLACK_VIEW_ALREADY_SUBMITTED';
  constructor() {
    super('This modal was submitted already');
    this.name = 'ViewAlreadySubmittedError';
  }
}

export function isViewAlreadySubmitted(err: unknown): boolean {
  return err instanceof ViewAlreadySubmittedError;
}

/** An answer that closes the modal: none, or `clear`. Errors keep it open; `update` and `push` keep the view. */
function closes(response: unknown): boolean {
  const action = (response as { response_action?: unknown } | undefined)?.response_action;
  return action === undefined || action === 'clear';
}

export interface ViewOnceDeps {
  seen: Pick<SeenRequestRepository, 'firstSight' | 'release'>;
  clock: Clock;
  logger: Logger;
  checkMs?: number;
}

export interface ViewOnce {
  /** The request with an `ack()` that lets a view's submission close it once; other requests as they are. */
  guard(event: ReceiverEvent): ReceiverEvent;
}

/**
 * A modal's submission takes effect once, keyed on its `view.id`, whichever instance gets it and
 * however it got there: the same view submitted twice (a double click that got through, a copy
 * signed anew) or a replay the signature guard let through while the store could not answer.
 *
 * The answer that closes the modal is the moment a submission is accepted, so that is where the
 * view is claimed (one insert, shared by every instance). An answer with field errors claims
 * nothing: the person corrects the form and submits the same view again. A second closing answer
 * for a view finds it claimed: the modal is answered as the first one was (closed), and `ack()`
 * throws {@link ViewAlreadySubmittedError}, so the listener stops there, before the effects that
 * follow its ack (the WhatsApp message, the opt-out, the audit entry). Listeners ack before acting,
 * as they all should; what one does before its ack (saving settings, say) must be repeatable.
 *
 * If the store cannot answer, the submission is taken (see replay-guard.ts for why): its effects
 * need that store too, and a modal reply is also keyed on its view in the reply intake.
 */
export function createViewOnce(deps: ViewOnceDeps): ViewOnce {
  const log = deps.logger.child({ component: 'view-once' });
  const checkMs = deps.checkMs ?? STORE_CHECK_MS;
  return {
    guard(event) {
      const view = (event.body as { type?: unknown; view?: { id?: unknown } }).view;
      if (event.body.type !== 'view_submission' || typeof view?.id !== 'string') return event;
      const key = `view:${String((event.body as { team?: { id?: unknown } }).team?.id ?? '')}:${view.id}`;
      const ack: ReceiverEvent['ack'] = async (response?: unknown) => {
        if (!closes(response)) return event.ack(response);
        const at = deps.clock();
        const { first, err } = await askInTime(() => deps.seen.firstSight(key, at, new Date(at.getTime() + KEEP_MS)), checkMs);
        if (first === undefined) log.warn({ err, ...requestKind(event.body) }, 'could not check whether the modal was submitted before; taken (the store did not answer)');
        try {
          await event.ack(response);
        } catch (ackErr) {
          // Slack never heard this answer (Bolt had already answered the request for being slow):
          // the modal is still open with an error, and its next submission must be able to count.
          if (first) await deps.seen.release(key).catch((releaseErr: unknown) => log.warn({ err: releaseErr }, 'could not release a modal whose answer failed'));
          throw ackErr;
        }
        if (first !== false) return;
        log.warn(requestKind(event.body), 'modal submitted again; its effects were not repeated');
        throw new ViewAlreadySubmittedError();
      };
      return { ...event, ack };
    },
  };
}
