import type { Clock } from '../../clock';
import type { ContactRepository } from '../../domain/contact';
import type { MessageRepository } from '../../domain/message';
import { AppError, isAppError } from '../../errors';
import type { Logger } from '../../logger';
import { withTimeout } from '../../timeout';
import type { InboundMessage, WhatsAppGateway } from '../../whatsapp/gateway';

export interface CatchUpDeps {
  gateway: WhatsAppGateway;
  contacts: Pick<ContactRepository, 'latestInboundAt' | 'erasedAt'>;
  messages: Pick<MessageRepository, 'knownWaIds'>;
  /** The inbound recorder's way in: stored, deduplicated and mirrored like any delivery. */
  accept(message: InboundMessage): void;
  /** Holds back live deliveries until the returned function is called (see InboundRecorder.hold). */
  hold(): () => void;
  /** Resolves once everything handed over for this contact so far is recorded, consent keywords included. */
  recorded(contactWaId: string): Promise<void>;
  /** Told when replies to a contact (or, without one, to everyone) may go out again. */
  onCaughtUp?(contactWaId?: string): void;
  clock: Clock;
  logger: Logger;
  /** A failed catch-up (store or page unreachable) is tried again after this, while connected. */
  retryMs?: number;
  /** Longest a read of WhatsApp's chats may take (live messages wait meanwhile). */
  readTimeoutMs?: number;
}

/**
 * Looks this far before the newest message recorded: messages received just before a crash or
 * during a MongoDB outage are older than later ones of other conversations that did get stored.
 */
export const CATCH_UP_MARGIN_MS = 60 * 60_000;
/** Never further back than this: a longer downtime's older messages stay on the phone (logged). */
export const CATCH_UP_MAX_DAYS = 7;
/** Newest messages read per chat, ours included; a chat where that does not reach back far enough is logged. */
export const CATCH_UP_PER_CHAT = 100;

/** Where the catch-up stands for the current connection (`/wa status` shows it while replies wait). */
export interface CatchUpState {
  /** True once WhatsApp's missed messages have been read since its latest connect. */
  done: boolean;
  /** While not done: since when replies have been waiting, and why the last attempt failed. */
  waitingSince?: Date;
  lastError?: string;
}

export interface CatchUp {
  /** Reads what WhatsApp holds since the last recorded message and hands over what is new; resolves with how many. */
  run(): Promise<number>;
  /**
   * May replies go to this contact? Only once, since WhatsApp's latest connect, the catch-up has read
   * what arrived meanwhile and the contact's part of it is recorded: a STOP sent while the app was
   * away is known before anything is sent. A failed catch-up keeps replies waiting (and is retried).
   */
  caughtUp(contactWaId: string): boolean;
  state(): CatchUpState;
  stop(): void;
}

/**
 * Every time WhatsApp connects, brings in the messages the app missed: those that arrived while it
 * was down (WhatsApp Web does not deliver them as new), and those it held in memory when it crashed
 * during a MongoDB outage. What is stored already is skipped, and the recorder deduplicates anyway;
 * messages of an erased number from before its erasure stay erased. A store with no inbound message
 * yet takes nothing: the history from before the app was in use is not imported.
 *
 * Live messages wait while WhatsApp is read (bounded by `readTimeoutMs`), so that in each
 * conversation the missed messages go first: Slack shows WhatsApp's order, and a STOP sent live
 * after a START sent during the downtime is the word that counts.
 */
export function startCatchUp(deps: CatchUpDeps): CatchUp {
  const log = deps.logger.child({ component: 'catch-up' });
  const retryMs = deps.retryMs ?? 60_000;
  const readTimeoutMs = deps.readTimeoutMs ?? 120_000;
  let running: Promise<number> | undefined;
  /** A connect came while a catch-up ran: it may have read before the gap, so run once more. */
  let again = false;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  /** The last read ran out of time: the next does not hold live messages (a slow page must not hold them every time). */
  let slowPage = false;
  /** Counts WhatsApp's connects; `readFor` is the connect whose missed messages were read (replies wait until they match). */
  let connects = 0;
  let readFor = -1;
  let waitingSince: Date | undefined;
  let lastError: string | undefined;
  /** Contacts whose missed messages were handed over and are not recorded yet. */
  const recording = new Map<string, number>();

  async function catchUp(): Promise<string[]> {
    const newest = await deps.contacts.latestInboundAt();
    if (!newest) return [];
    const floor = deps.clock().getTime() - CATCH_UP_MAX_DAYS * 86_400_000;
    const since = new Date(Math.max(newest.getTime() - CATCH_UP_MARGIN_MS, floor));
    if (slowPage) log.warn('reading WhatsApp was too slow last time: new messages are not held meanwhile, so they may be posted before older ones');
    const release = slowPage ? () => {} : deps.hold();
    try {
      const { messages: held, truncatedChats } = await withTimeout(
        deps.gateway.messagesSince(since, CATCH_UP_PER_CHAT),
        readTimeoutMs,
        () => new AppError('WHATSAPP_TIMEOUT', `reading WhatsApp's chats took longer than ${readTimeoutMs} ms`),
      );
      if (newest.getTime() - CATCH_UP_MARGIN_MS < floor) log.warn({ since }, `the app was away more than ${CATCH_UP_MAX_DAYS} days: older messages are only on the phone`);
      if (truncatedChats > 0) log.warn({ chats: truncatedChats, perChat: CATCH_UP_PER_CHAT }, 'some chats had more messages than a catch-up reads: their older ones are only on the phone');
      const known = await deps.messages.knownWaIds(held.map((m) => m.id));
      const unknown = held.filter((m) => !known.has(m.id));
      const erased = await deps.contacts.erasedAt([...new Set(unknown.map((m) => m.from))]);
      const fresh = unknown.filter((m) => {
        const erasure = erased.get(m.from);
        return !erasure || m.at > erasure;
      });
      for (const message of fresh) deps.accept(message);
      log.info({ since, read: held.length, new: fresh.length, erasedSkipped: unknown.length - fresh.length }, 'caught up with WhatsApp');
      slowPage = false;
      return fresh.map((m) => m.from);
    } finally {
      release();
    }
  }

  async function attempt(): Promise<number> {
    const connect = connects;
    try {
      const senders = await catchUp();
      for (const contact of new Set(senders)) awaitRecorded(contact);
      // A connect meanwhile may have come after this read: `again` reads once more.
      if (connect === connects && readFor !== connect) {
        readFor = connect;
        waitingSince = undefined;
        lastError = undefined;
        deps.onCaughtUp?.();
      }
      return senders.length;
    } catch (err) {
      if (stopped) return 0; // shutting down: the store or the page went first
      lastError = err instanceof Error ? err.message : String(err);
      slowPage = isAppError(err, 'WHATSAPP_TIMEOUT');
      log.warn({ err, retryInMs: retryMs }, 'could not catch up with WhatsApp; trying again');
      retry = setTimeout(() => deps.gateway.status().state === 'connected' && void run(), retryMs).unref();
      return 0;
    }
  }

  /** The contact's replies wait until what was handed over for them is recorded (a STOP's opt-out included). */
  function awaitRecorded(contact: string): void {
    recording.set(contact, (recording.get(contact) ?? 0) + 1);
    void deps.recorded(contact).then(() => {
      const left = (recording.get(contact) ?? 1) - 1;
      if (left > 0) return void recording.set(contact, left);
      recording.delete(contact);
      deps.onCaughtUp?.(contact);
    });
  }

  function connected(): void {
    connects++;
    waitingSince ??= deps.clock();
    void run();
  }

  function run(): Promise<number> {
    clearTimeout(retry);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let brought = 0;
      do {
        again = false;
        brought += await attempt();
      } while (again && !stopped);
      return brought;
    })().finally(() => (running = undefined));
    return running;
  }

  const unsubscribe = deps.gateway.on((e) => {
    if (e.type !== 'state') return;
    if (e.status.state === 'connected') connected();
    // Disconnected, or the session moved to another instance: what was read is no longer current.
    else readFor = -1;
  });
  if (deps.gateway.status().state === 'connected') connected();

  return {
    run,
    caughtUp: (contact) => readFor === connects && connects > 0 && !recording.has(contact),
    state: () => ({ done: readFor === connects && connects > 0, ...(waitingSince ? { waitingSince } : {}), ...(lastError ? { lastError } : {}) }),
    stop() {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
    },
  };
}
