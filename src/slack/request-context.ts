import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

interface RequestFields {
  team?: string;
  user?: string;
  command?: string;
  action?: string;
  event?: string;
}

/** Picks who and what a Slack request is about, whatever its kind. */
function fieldsOf(body: Record<string, unknown>): RequestFields {
  const b = body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- Slack payloads vary by kind
  if (typeof b.command === 'string') return { team: b.team_id, user: b.user_id, command: `${b.command} ${String(b.text ?? '').split(/\s+/)[0]}`.trim() };
  if (b.type === 'event_callback') return { team: b.team_id, user: b.event?.user, event: b.event?.type };
  const action = b.actions?.[0]?.action_id ?? b.view?.callback_id ?? b.callback_id;
  return { team: b.team?.id ?? b.team_id, user: b.user?.id ?? b.user_id, action };
}

/**
 * Global middleware: gives every request a child logger carrying team, user, command or action
 * and a request id, so all lines of one request can be found together.
 *
 * The logger is built when first used: most requests log nothing before their ack, and building
 * it (a child with redaction, and a UUID) cost more CPU than the rest of an ack's own work.
 */
export function requestContext(logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) => {
    let log: Logger | undefined;
    Object.defineProperty(context, 'log', {
      get: () => (log ??= logger.child({ reqId: randomUUID(), ...fieldsOf(body as Record<string, unknown>) })),
      enumerable: true,
      configurable: true,
    });
    await next();
  };
}

/** The request's logger set by {@link requestContext}. */
export function requestLog(context: Context, fallback: Logger): Logger {
  return (context.log as Logger | undefined) ?? fallback;
}
