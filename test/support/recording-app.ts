import type { App } from '@slack/bolt';

/** What a listener factory registered, by kind. */
export interface Registrations {
  commands: string[];
  events: string[];
  actions: string[];
  views: string[];
  shortcuts: string[];
  messageListeners: number;
}

const idOf = (constraint: unknown): string =>
  typeof constraint === 'string'
    ? constraint
    : constraint instanceof RegExp
      ? constraint.source
      : String((constraint as { callback_id?: unknown; action_id?: unknown }).callback_id ?? (constraint as { action_id?: unknown }).action_id);

/**
 * A stand-in for Bolt's App that only records what gets registered, so tests can compare the
 * code's Slack surface with manifest.yml without starting anything.
 */
export function recordingApp(): { app: App; registered: Registrations } {
  const registered: Registrations = { commands: [], events: [], actions: [], views: [], shortcuts: [], messageListeners: 0 };
  const app = {
    command: (name: string) => void registered.commands.push(name),
    event: (type: string) => void registered.events.push(type),
    action: (c: unknown) => void registered.actions.push(idOf(c)),
    view: (c: unknown) => void registered.views.push(idOf(c)),
    shortcut: (c: unknown) => void registered.shortcuts.push(idOf(c)),
    message: () => void registered.messageListeners++,
    use: () => undefined,
    error: () => undefined,
  };
  return { app: app as unknown as App, registered };
}
