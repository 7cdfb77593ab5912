import type { Logger } from 'pino';
import type { Timers } from './wwebjs-gateway';

/** Ids of the app's recent sends kept to judge by (far more than can be in flight at once). */
const REMEMBERED = 1_000;

/**
 * Tells the app's own sends from what someone sends from the phone or another linked device.
 * whatsapp-web.js reports both as `message_create`, ours often before `sendMessage` has resolved
 * with its id. So one of our messages is judged once no send is in flight — any chat's: WhatsApp
 * Web may file a send to `…@c.us` under the chat's `…@lid` id — by whether a send returned its id.
 * A send that failed meanwhile, or one still running after `maxWaitMs`, leaves it unsure, and unsure
 * counts as ours: better a phone message left out than a reply shown twice. (The library's
 * `deviceType`, a guess from the id's shape, is not relied on: WhatsApp Web has changed its ids.)
 */
export class OwnSends {
  /** Sends running now; each settles true when it returned an id. */
  private readonly inFlight = new Set<Promise<boolean>>();
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();

  constructor(
    private readonly timers: Timers,
    private readonly logger: Logger,
    private readonly maxWaitMs = 60_000,
  ) {}

  /** Runs a send, remembering the id it returns. */
  async track<T extends { id: { _serialized: string } } | undefined>(send: () => Promise<T>): Promise<T> {
    // In flight before the send starts: its message_create may come before it yields.
    let settle!: (ok: boolean) => void;
    const done = new Promise<boolean>((resolve) => (settle = resolve));
    this.inFlight.add(done);
    let ok = false;
    try {
      const sent = await send();
      if (sent?.id?._serialized) {
        this.remember(sent.id._serialized);
        ok = true;
      }
      return sent;
    } finally {
      settle(ok);
      this.inFlight.delete(done);
    }
  }

  /** Whether message `id` is one the app sent, or may have (see the class comment). */
  async isOwn(id: string): Promise<boolean> {
    if (this.known.has(id)) return true;
    if (this.inFlight.size > 0) {
      let timer: unknown;
      const outcomes = await Promise.race([
        Promise.all([...this.inFlight]),
        new Promise<undefined>((resolve) => (timer = this.timers.setTimeout(() => resolve(undefined), this.maxWaitMs))),
      ]);
      this.timers.clearTimeout(timer);
      if (this.known.has(id)) return true;
      if (!outcomes || outcomes.includes(false)) {
        this.logger.warn({ waMessageId: id, reason: outcomes ? 'a send failed meanwhile' : 'sends still running' }, 'a message of ours is not mirrored: it may be one the app sent');
        return true;
      }
    }
    return false;
  }

  private remember(id: string): void {
    this.known.add(id);
    this.ids.push(id);
    if (this.ids.length > REMEMBERED) this.known.delete(this.ids.shift()!);
  }
}
