import type { Clock } from '../../clock';
import type { ContactRepository } from '../../domain/contact';
import type { MessageRepository } from '../../domain/message';
import type { Logger } from '../../logger';
import type { InboundMessage, WhatsAppGateway } from '../../whatsapp/gateway';

export interface CatchUpDeps {
  gateway: WhatsAppGateway;
  contacts: Pick<ContactRepository, 'latestInboundAt' | 'erasedAt'>;
  messages: Pick<MessageRepository, 'knownWaIds'>;
  /** The inbound recorder's way in: stored, deduplicated and mirrored like any delivery. */
  accept(message: InboundMessage): void;
  clock: Clock;
  logger: Logger;
  /** A failed catch-up (store or page unreachable) is tried again after this, while connected. */
  retryMs?: number;
}

/**
 * Looks this far before the newest message recorded: messages received just before a crash or
 * during a MongoDB outage are older than later ones of other conversations that did get stored.
 */
export const CATCH_UP_MARGIN_MS = 60 * 60_000;
/** Never further back than this: a longer downtime's older messages stay on the phone (logged). */
export const CATCH_UP_MAX_DAYS = 7;
/** Newest messages read per chat; a chat with more than this since the look-back is logged. */
export const CATCH_UP_PER_CHAT = 100;

export interface CatchUp {
  /** Reads what WhatsApp holds since the last recorded message and hands over what is new; resolves with how many. */
  run(): Promise<number>;
  stop(): void;
}

/**
 * Every time WhatsApp connects, brings in the messages the app missed: those that arrived while it
 * was down (WhatsApp Web does not deliver them as new), and those it held in memory when it crashed
 * during a MongoDB outage. What is stored already is skipped, and the recorder deduplicates anyway;
 * messages of an erased number from before its erasure stay erased. A store with no inbound message
 * yet takes nothing: the history from before the app was in use is not imported.
 */
export function startCatchUp(deps: CatchUpDeps): CatchUp {
  const log = deps.logger.child({ component: 'catch-up' });
  const retryMs = deps.retryMs ?? 60_000;
  let running: Promise<number> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  async function catchUp(): Promise<number> {
    const newest = await deps.contacts.latestInboundAt();
    if (!newest) return 0;
    const floor = deps.clock().getTime() - CATCH_UP_MAX_DAYS * 86_400_000;
    const since = new Date(Math.max(newest.getTime() - CATCH_UP_MARGIN_MS, floor));
    const held = await deps.gateway.messagesSince(since, CATCH_UP_PER_CHAT);
    warnIfTruncated(held, since, newest.getTime() - CATCH_UP_MARGIN_MS < floor);
    const known = await deps.messages.knownWaIds(held.map((m) => m.id));
    const unknown = held.filter((m) => !known.has(m.id));
    const erased = await deps.contacts.erasedAt([...new Set(unknown.map((m) => m.from))]);
    const fresh = unknown.filter((m) => {
      const erasure = erased.get(m.from);
      return !erasure || m.at > erasure;
    });
    for (const message of fresh) deps.accept(message);
    log.info({ since, read: held.length, new: fresh.length, erasedSkipped: unknown.length - fresh.length }, 'caught up with WhatsApp');
    return fresh.length;
  }

  function warnIfTruncated(held: InboundMessage[], since: Date, cappedByAge: boolean): void {
    if (cappedByAge) log.warn({ since }, `the app was away more than ${CATCH_UP_MAX_DAYS} days: older messages are only on the phone`);
    const perChat = new Map<string, number>();
    for (const m of held) perChat.set(m.from, (perChat.get(m.from) ?? 0) + 1);
    const full = [...perChat].filter(([, n]) => n >= CATCH_UP_PER_CHAT).map(([chat]) => chat);
    if (full.length > 0) log.warn({ chats: full.length, perChat: CATCH_UP_PER_CHAT }, 'some chats had more messages than a catch-up reads: their older ones are only on the phone');
  }

  function run(): Promise<number> {
    clearTimeout(retry);
    // One at a time: a reconnect during a catch-up is covered by it.
    running ??= catchUp()
      .catch((err: unknown) => {
        log.warn({ err, retryInMs: retryMs }, 'could not catch up with WhatsApp; trying again');
        if (!stopped) retry = setTimeout(() => deps.gateway.status().state === 'connected' && void run(), retryMs).unref();
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  }

  const unsubscribe = deps.gateway.on((e) => {
    if (e.type === 'state' && e.status.state === 'connected') void run();
  });
  if (deps.gateway.status().state === 'connected') void run();

  return {
    run,
    stop() {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
    },
  };
}
