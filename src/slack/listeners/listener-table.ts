import type {
  App,
  Middleware,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import { AppError } from '../../errors';

/**
 * Where the app's listeners register: the part of Bolt's App they use, with the same argument types.
 *
 * Bolt runs every registered listener's matchers on every request, each through a middleware call
 * that copies the request's arguments, so the cost of acknowledging anything grows with the number
 * of listeners. With our 33 listeners that was most of the CPU the app spent acknowledging a slash
 * command: under 200 concurrent `/wa` commands (`npm run bench -- commands`) the last ack came
 * ≈0.1 s later than with a handful. So the table keeps listeners by id and gives Bolt one listener
 * per kind, which looks the id up.
 */
export interface Listeners {
  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void;
  /** By action_id, or by block_id and action_id when the action_id alone is generic. */
  action<A extends SlackAction = SlackAction>(id: string | { block_id: string; action_id: string }, listener: Middleware<SlackActionMiddlewareArgs<A>>): void;
  /** Submissions of the view with this callback_id. */
  view<V extends SlackViewAction = SlackViewAction>(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<V>>): void;
  shortcut<S extends SlackShortcut = SlackShortcut>(callbackId: string, listener: Middleware<SlackShortcutMiddlewareArgs<S>>): void;
  /** Several listeners may take the same event; all of them run, as in Bolt. */
  event<E extends string>(type: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void;
  message(listener: Middleware<SlackEventMiddlewareArgs<'message'>>): void;
}

/** What was registered, by kind (the manifest test compares it with manifest.yml). */
export interface Registrations {
  commands: string[];
  actions: string[];
  views: string[];
  shortcuts: string[];
  events: string[];
}

export interface ListenerTable {
  listeners: Listeners;
  /** Gives Bolt one listener per kind registered so far. Call once, after every registration. */
  mount(app: Pick<App, 'command' | 'action' | 'view' | 'shortcut' | 'event'>): void;
  registered(): Registrations;
}

// Bolt hands each listener its own argument type; the table only routes, so it passes them on untyped.
type Listener = (args: any) => Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function createListenerTable(): ListenerTable {
  const commands = new Map<string, Listener>();
  const actions = new Map<string, Array<{ blockId?: string; listener: Listener }>>();
  const views = new Map<string, Listener>();
  const shortcuts = new Map<string, Listener>();
  const events = new Map<string, Listener[]>();

  let mounted = false;
  /** Two listeners for one id would both run under Bolt; here that is a mistake, caught at start. */
  function conflict(kind: string, id: string): AppError {
    return new AppError('LISTENER_CONFLICT', `Two ${kind} listeners for "${id}"`);
  }
  /** Bolt's patterns are built at mount: a later registration would never be reached. */
  function open(kind: string, id: string): void {
    if (mounted) throw new AppError('LISTENER_CONFLICT', `The ${kind} listener for "${id}" came after the table was mounted`);
  }
  function addOnce(map: Map<string, Listener>, kind: string, id: string, listener: Listener): void {
    open(kind, id);
    if (map.has(id)) throw conflict(kind, id);
    map.set(id, listener);
  }

  const listeners: Listeners = {
    command: (name, listener) => addOnce(commands, 'command', name, listener as Listener),
    action(id, listener) {
      const [actionId, blockId] = typeof id === 'string' ? [id, undefined] : [id.action_id, id.block_id];
      open('action', actionId);
      const entries = actions.get(actionId) ?? [];
      if (entries.some((e) => e.blockId === undefined || blockId === undefined || e.blockId === blockId)) throw conflict('action', actionId);
      actions.set(actionId, [...entries, { blockId, listener: listener as Listener }]);
    },
    view: (callbackId, listener) => addOnce(views, 'view', callbackId, listener as Listener),
    shortcut: (callbackId, listener) => addOnce(shortcuts, 'shortcut', callbackId, listener as Listener),
    event(type, listener) {
      open('event', type);
      events.set(type, [...(events.get(type) ?? []), listener as Listener]);
    },
    message: (listener) => listeners.event('message', listener),
  };

  return {
    listeners,
    mount(app) {
      mounted = true;
      for (const [name, listener] of commands) app.command(name, listener);
      if (actions.size > 0) {
        app.action(oneOf(actions.keys()), async (args) => {
          const { action_id: actionId, block_id: blockId } = args.action as { action_id: string; block_id?: string };
          const entry = actions.get(actionId)?.find((e) => e.blockId === undefined || e.blockId === blockId);
          if (entry) await entry.listener(args);
        });
      }
      if (views.size > 0) app.view(oneOf(views.keys()), async (args) => views.get(args.view.callback_id)?.(args));
      if (shortcuts.size > 0) app.shortcut(oneOf(shortcuts.keys()), async (args) => shortcuts.get(args.shortcut.callback_id)?.(args));
      for (const [type, list] of events) {
        app.event(type, async (args) => {
          // As Bolt does for listeners of one event: all run, and their failures are reported together.
          const failures = (await Promise.allSettled(list.map((listener) => listener(args)))).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          if (failures.length === 1) throw failures[0];
          if (failures.length > 1) throw new AggregateError(failures, `${failures.length} listeners for ${type} failed`);
        });
      }
    },
    registered: () => ({
      commands: [...commands.keys()],
      actions: [...actions.keys()],
      views: [...views.keys()],
      shortcuts: [...shortcuts.keys()],
      events: [...events.keys()],
    }),
  };
}

/** A pattern matching exactly these ids, so Bolt still leaves any other id unhandled, as before. */
function oneOf(ids: Iterable<string>): RegExp {
  return new RegExp(`^(?:${[...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
}
