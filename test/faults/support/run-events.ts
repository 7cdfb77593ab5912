/**
 * Something that happened in the run, numbered in one sequence with the sends WhatsApp saw; `group`
 * marks actions made at the same moment (the app may take them in either order).
 */
export type RunEvent =
  | { type: 'inbound'; seq: number; contact: string; id: string; text: string; seen: boolean; group?: number }
  | { type: 'reply'; seq: number; contact: string; channel: string; ts: string; text: string; status: number }
  | { type: 'optout'; seq: number; contact: string; outcome: 'done' | 'already' | 'unknown'; group?: number }
  | { type: 'disconnect' | 'reconnect'; seq: number }
  | { type: 'crash' | 'restart'; seq: number; instance: string };

/** An event as logged: its number is given on the way in. */
export type WithoutSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;
