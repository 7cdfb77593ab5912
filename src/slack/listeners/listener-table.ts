import type {
  AllMiddlewareArgs,
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
import { refusalText, tellRefused, type AccessPolicy, type RefusedRequest, type RequestKind, type Role } from '../roles';

/**
 * Where the app's listeners register: the part of Bolt's App they use, with the same argument types,
 * and who may use each (see "Who may" below).
 *
 * Bolt runs every registered listener's matchers on every request, each through a middleware call
 * that copies the request's arguments, so the cost of acknowledging anything grows with the number
 * of listeners. With our 33 listeners that was most of the CPU the app spent acknowledging a slash
 * command: under 200 concurrent `/wa` commands (`npm run bench -- commands`) the last ack came
 * ≈0.1 s later than with a handful. So the table keeps listeners by id and gives Bolt one listener
 * per kind, which looks the id up.
 *
 * Who may: every registration says which role it needs (agent unless it says lead), and the table
 * checks it before the listener runs — on the command, the button, the shortcut and the modal's
 * submission alike, so an effect is checked where it takes effect, however it was reached. A
 * refusal is audited and told privately, in the form the request allows (see `tellRefused`).
 */
export interface Listeners {
  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>, access?: Access<SlackCommandMiddlewareArgs & AllMiddlewareArgs>): void;
  /** By action_id, or by block_id and action_id when the action_id alone is generic. */
  action<A extends SlackAction = SlackAction>(
    id: string | { block_id: string; action_id: string },
    listener: Middleware<SlackActionMiddlewareArgs<A>>,
    access?: Access<SlackActionMiddlewareArgs<A> & AllMiddlewareArgs>,
  ): void;
  /** Submissions of the view with this callback_id. */
  view<V extends SlackViewAction = SlackViewAction>(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<V>>, access?: Access<SlackViewMiddlewareArgs<V> & AllMiddlewareArgs>): void;
  shortcut<S extends SlackShortcut = SlackShortcut>(callbackId: string, listener: Middleware<SlackShortcutMiddlewareArgs<S>>, access?: Access<SlackShortcutMiddlewareArgs<S> & AllMiddlewareArgs>): void;
  /** Several listeners may take the same event; all of them run, as in Bolt. Who acts differs by event, so each says. */
  event<E extends string>(type: E, listener: Middleware<SlackEventMiddlewareArgs<E>>, access: EventAccess<SlackEventMiddlewareArgs<E> & AllMiddlewareArgs>): void;
  message(listener: Middleware<SlackEventMiddlewareArgs<'message'>>, access: EventAccess<SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs>): void;
}

/** Who may use a command, button, shortcut or modal, and what a refusal records. */
export interface Access<Args = unknown> {
  /** `agent` unless given. */
  role?: Role;
  /** The audited action of a refusal; the id by default. */
  action?: string;
  /** What a lead-only listener does, in words, for the refusal: "change these settings". */
  what?: string;
  /** What else the refusal's audit entry keeps. Never what was typed: at most names of verbs and pseudonyms. */
  audit?: (args: Args) => Record<string, unknown>;
}

/** Who may cause an event's effect. Unlike a command's, an event's actor (and whether it concerns us at all) depends on the event. */
export interface EventAccess<Args> {
  role: Role;
  /** The audited action of a refusal, and the name of this effect in `registered().access`. */
  action: string;
  /** Who acts, or undefined when the event is no one's act here (a bot's post, a message outside a thread): the listener then runs unchecked. */
  actor(args: Args): string | undefined;
  /** Tells the refused person; returns what the audit entry keeps, or null when the event was nothing of ours after all (nothing recorded). */
  refuse(args: Args): Promise<Record<string, unknown> | null>;
}

type Kind = RequestKind | 'event';

/** What was registered, by kind (the manifest test compares it with manifest.yml), and the role each needs. */
export interface Registrations {
  commands: string[];
  actions: string[];
  views: string[];
  shortcuts: string[];
  events: string[];
  /** Every registration with the role it needs; actions by `block_id/action_id` when registered so, events by their action. */
  access: Array<{ kind: Kind; id: string; role: Role }>;
}

export interface ListenerTable {
  listeners: Listeners;
  /** Gives Bolt one listener per kind registered so far. Call once, after every registration. */
  mount(app: Pick<App, 'command' | 'action' | 'view' | 'shortcut' | 'event'>): void;
  registered(): Registrations;
}

// Bolt hands each listener its own argument type; the table only routes, so it passes them on untyped.
type Listener = (args: any) => Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AnyAccess = Access<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function createListenerTable(policy: AccessPolicy): ListenerTable {
  const commands = new Map<string, Listener>();
  const actions = new Map<string, Array<{ blockId?: string; listener: Listener }>>();
  const views = new Map<string, Listener>();
  const shortcuts = new Map<string, Listener>();
  const events = new Map<string, Listener[]>();
  const access: Registrations['access'] = [];

  let mounted = false;
  /** Two listeners for one id would both run under Bolt; here that is a mistake, caught at start. */
  function conflict(kind: string, id: string): AppError {
    return new AppError('LISTENER_CONFLICT', `Two ${kind} listeners for "${id}"`);
  }
  /** Bolt's patterns are built at mount: a later registration would never be reached. */
  function open(kind: string, id: string): void {
    if (mounted) throw new AppError('LISTENER_CONFLICT', `The ${kind} listener for "${id}" came after the table was mounted`);
  }
  function addOnce(map: Map<string, Listener>, kind: RequestKind, id: string, listener: Listener, rule: AnyAccess = {}): void {
    open(kind, id);
    if (map.has(id)) throw conflict(kind, id);
    map.set(id, guarded(kind, id, listener, rule));
  }

  /** The listener behind its role check: a refused request is audited and told, and never reaches it. */
  function guarded(kind: RequestKind, id: string, listener: Listener, rule: AnyAccess): Listener {
    const role = rule.role ?? 'agent';
    access.push({ kind, id, role });
    return async (args: RefusedRequest) => {
      const actor = args.body.user?.id ?? args.body.user_id ?? '';
      if (await policy.allows(args.client, actor, role)) return listener(args);
      // Both are attempted even if one fails: the person hears why, and the refusal is kept.
      await Promise.all([policy.refused({ actor, action: rule.action ?? id, role, args: rule.audit?.(args) }), tellRefused(kind, args, refusalText(role, rule.what))]);
    };
  }

  const listeners: Listeners = {
    command: (name, listener, rule) => addOnce(commands, 'command', name, listener as Listener, rule),
    action(id, listener, rule) {
      const [actionId, blockId] = typeof id === 'string' ? [id, undefined] : [id.action_id, id.block_id];
      open('action', actionId);
      const entries = actions.get(actionId) ?? [];
      if (entries.some((e) => e.blockId === undefined || blockId === undefined || e.blockId === blockId)) throw conflict('action', actionId);
      const run = guarded('action', blockId === undefined ? actionId : `${blockId}/${actionId}`, listener as Listener, rule ?? {});
      actions.set(actionId, [...entries, { blockId, listener: run }]);
    },
    view: (callbackId, listener, rule) => addOnce(views, 'view', callbackId, listener as Listener, rule),
    shortcut: (callbackId, listener, rule) => addOnce(shortcuts, 'shortcut', callbackId, listener as Listener, rule),
    event(type, listener, rule) {
      open('event', type);
      access.push({ kind: 'event', id: rule.action, role: rule.role });
      const run: Listener = async (args: SlackEventMiddlewareArgs<typeof type> & AllMiddlewareArgs) => {
        const actor = rule.actor(args);
        if (actor === undefined || (await policy.allows(args.client, actor, rule.role))) return (listener as Listener)(args);
        const kept = await rule.refuse(args);
        if (kept) await policy.refused({ actor, action: rule.action, role: rule.role, args: kept });
      };
      events.set(type, [...(events.get(type) ?? []), run]);
    },
    message: (listener, rule) => listeners.event('message', listener, rule),
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
      access: [...access],
    }),
  };
}

/** A pattern matching exactly these ids, so Bolt still leaves any other id unhandled, as before. */
function oneOf(ids: Iterable<string>): RegExp {
  return new RegExp(`^(?:${[...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
}
