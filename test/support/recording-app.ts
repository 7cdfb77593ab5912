import type { App } from '@slack/bolt';

type Kind = 'command' | 'event' | 'action' | 'view' | 'shortcut';
type Listener = (args: unknown) => Promise<void>;

/** What was handed to Bolt, in order: the kind, its id or pattern, and the listener. */
export interface Mounted {
  kind: Kind;
  constraint: string | RegExp;
  listener: Listener;
}

/**
 * A stand-in for Bolt's App that only records the listeners given to it, so tests can see what
 * Bolt would run without starting anything.
 */
export function recordingApp(): { app: Pick<App, Kind>; mounted: Mounted[] } {
  const mounted: Mounted[] = [];
  const record = (kind: Kind) => (constraint: string | RegExp, listener: Listener) => void mounted.push({ kind, constraint, listener });
  const app = { command: record('command'), event: record('event'), action: record('action'), view: record('view'), shortcut: record('shortcut') };
  return { app: app as unknown as Pick<App, Kind>, mounted };
}
