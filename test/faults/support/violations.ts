import { loadConfig } from '../../../src/config';
import { validEnv } from '../../support/env';

/** One broken promise, under the name of the invariant it breaks. */
export interface Violation {
  /** Which promise; `quiescence` when the run never came to rest (a hang). */
  invariant: InvariantName | 'quiescence';
  detail: string;
}

/** The promises of issue 16 the suite checks, numbered as there. */
export const INVARIANTS = {
  inboundOnceInOrder: '1. every inbound message is in Slack exactly once, in order',
  noSendAfterOptOut: '2. nothing is sent to a contact after their opt-out (or erasure) was stored',
  stopEndsOptedOut: '3. every STOP (not undone by a later START) ends opted out, with exactly one confirmation',
  replyOnceOrFailed: '4. every agent reply is sent exactly once or visibly marked failed',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

/** The one message an opt-out gets (the app's default wording). */
export const { optOutConfirmation } = loadConfig(validEnv()).bridge;
