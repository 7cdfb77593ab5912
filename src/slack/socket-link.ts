import type { Clock } from '../clock';

/** Whether the Socket Mode WebSocket is up: Slack delivers nothing to an app without it. */
export type SlackLinkState = 'connecting' | 'connected' | 'disconnected';

export interface SlackLinkStatus {
  state: SlackLinkState;
  since: Date;
  /** Why it is not connected (the last socket error or close), for operators only. */
  reason?: string;
}

/** The lifecycle events a Socket Mode client emits (`@slack/socket-mode`'s SocketModeClient). */
export interface SocketEvents {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Follows a Socket Mode client's lifecycle into a status `/readyz` reads. The client reconnects on
 * its own; this only tells whether it is connected now, and if not, why.
 */
export function watchSocket(client: SocketEvents, clock: Clock): () => SlackLinkStatus {
  let status: SlackLinkStatus = { state: 'connecting', since: clock() };
  let lastError: string | undefined;
  const set = (state: SlackLinkState, reason?: string) => {
    status = { state, since: clock(), ...(reason ? { reason } : {}) };
  };
  client.on('connected', () => {
    lastError = undefined;
    set('connected');
  });
  client.on('error', (err) => {
    lastError = causeOf(err);
  });
  // 'close' is the WebSocket going away (network, Slack recycling it, our own stop).
  client.on('close', () => set('disconnected', lastError ? `socket closed: ${lastError}` : 'socket closed'));
  // A reconnect attempt keeps the reason it is needed until it succeeds.
  client.on('reconnecting', () => set('connecting', status.reason));
  return () => status;
}

/** The innermost message of an error chain: `fetch failed` says less than its cause `connect ECONNREFUSED …`. */
export function causeOf(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as { original?: unknown; cause?: unknown } | undefined)?.original ?? (current as { cause?: unknown } | undefined)?.cause;
    if (!(next instanceof Error)) break;
    current = next;
  }
  return current instanceof Error ? current.message : String(current);
}
