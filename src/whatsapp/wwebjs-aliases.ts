import type { Timers } from './wwebjs-gateway';

/** Ids kept; a support line talks to far fewer people per session. */
const CACHED = 10_000;
/** An id WhatsApp could not place is asked again after this (not on every message: each ask may reach WhatsApp's servers). */
const MISS_TTL_MS = 10 * 60_000;

/**
 * The same person's other WhatsApp id — `…@lid` for a `…@c.us` sender, and the other way round —
 * as WhatsApp Web knows it (`getContactLidAndPhone`). One person can reach the app under both, and
 * consent must follow the person: an opt-out under one id covers the other (see inbound-consent).
 * Asked once per id and kept; a lookup that fails or takes over `timeoutMs` gives no alias (asked
 * again after ten minutes), and the message goes on without one.
 */
export class WwebjsAliases {
  private readonly known = new Map<string, { alias: Promise<string | undefined>; until: number }>();

  constructor(
    private readonly lookup: (ids: string[]) => Promise<Array<{ lid?: string; pn?: string }>>,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly timeoutMs = 2_000,
  ) {}

  of(id: string): Promise<string | undefined> {
    if (!id.endsWith('@c.us') && !id.endsWith('@lid')) return Promise.resolve(undefined);
    const cached = this.known.get(id);
    if (cached && cached.until > this.now()) return cached.alias;
    let timer: unknown;
    const found = Promise.race([
      this.lookup([id]).then(([pair]) => {
        const other = id.endsWith('@lid') ? pair?.pn : pair?.lid;
        return other && other !== id ? other : undefined;
      }),
      new Promise<undefined>((resolve) => (timer = this.timers.setTimeout(() => resolve(undefined), this.timeoutMs))),
    ])
      .catch(() => undefined)
      .finally(() => this.timers.clearTimeout(timer));
    if (this.known.size >= CACHED) this.known.clear();
    const entry = { alias: found, until: Infinity };
    this.known.set(id, entry);
    // What was found is kept; an id WhatsApp could not place is asked again after a while.
    void found.then((alias) => {
      if (alias === undefined) entry.until = this.now() + MISS_TTL_MS;
    });
    return found;
  }
}
