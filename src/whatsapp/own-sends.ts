import type { Timers } from './wwebjs-gateway';

/** Ids of the app's recent sends kept to judge by (far more than can be in flight at once). */
const REMEMBERED = 1_000;

/**
 * Tells the app's own sends from what someone sends from the phone or another linked device.
 * whatsapp-web.js reports both as `message_create`, ours often before `sendMessage` has resolved
 * with its id. So one of our messages is judged once no send to its chat is in flight, by whether a
 * send returned its id. (The library's `deviceType`, a guess from the id's shape, is not relied on:
 * WhatsApp Web has changed its ids before, and a wrong guess would repeat every reply in Slack.)
 */
export class OwnSends {
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();

  constructor(
    private readonly timers: Timers,
    /** Longest a judgement waits for sends in flight; still unsure then, it counts as ours. */
    private readonly maxWaitMs = 60_000,
  ) {}

  /** Runs a send to `chatId`, remembering the id it returns. */
  async track<T extends { id: { _serialized: string } }>(chatId: string, send: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(chatId) ?? new Set<Promise<unknown>>();
    this.inFlight.set(chatId, pending);
    // In flight before the send starts: its message_create may come before it yields.
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    pending.add(done);
    try {
      const sent = await send();
      this.remember(sent.id._serialized);
      return sent;
    } finally {
      settle();
      pending.delete(done);
      if (pending.size === 0 && this.inFlight.get(chatId) === pending) this.inFlight.delete(chatId);
    }
  }

  /** Whether message `id` in `chatId` is one the app sent (better left unmirrored than shown twice when unsure). */
  async isOwn(chatId: string, id: string): Promise<boolean> {
    const pending = this.inFlight.get(chatId);
    if (pending && pending.size > 0) {
      let timer: unknown;
      const settled = await Promise.race([
        Promise.allSettled([...pending]).then(() => true),
        new Promise<boolean>((resolve) => (timer = this.timers.setTimeout(() => resolve(false), this.maxWaitMs))),
      ]);
      this.timers.clearTimeout(timer);
      if (!settled) return true;
    }
    return this.known.has(id);
  }

  private remember(id: string): void {
    this.known.add(id);
    this.ids.push(id);
    if (this.ids.length > REMEMBERED) this.known.delete(this.ids.shift()!);
  }
}
