import { optOutConfirmation, type Violation } from './violations';
import type { RunEvent } from './run-events';
import type { World } from './world';

type Step = Extract<RunEvent, { type: 'inbound' | 'optout' }>;
interface Episode {
  /** A STOP or an opt-out the app confirmed ("is opted out") happened in it. */
  sure: boolean;
  /** An opt-out whose outcome the agent never heard (a failed command) may have. */
  maybe: boolean;
  by: string[];
}

/** When the app handled a step: live ones at once, messages left on the phone at the next (re)connect or restart. */
function handledAt(world: World, e: Step): number {
  if (e.type !== 'inbound' || e.seen) return e.seq;
  return world.events.find((x) => (x.type === 'reconnect' || x.type === 'restart') && x.seq > e.seq)?.seq ?? Infinity;
}

/** The contact's STOP, START and opt-out steps in handling order; steps made at the same moment side by side. */
function stepsOf(world: World, contact: string): Step[] {
  const steps = world.events.filter(
    (e): e is Step => (e.type === 'optout' || (e.type === 'inbound' && (e.text === 'STOP' || e.text === 'START'))) && e.contact === contact,
  );
  const groupAt = new Map<number, number>();
  for (const e of steps) if (e.group !== undefined) groupAt.set(e.group, Math.min(groupAt.get(e.group) ?? Infinity, handledAt(world, e)));
  const at = (e: Step) => (e.group !== undefined ? groupAt.get(e.group)! : handledAt(world, e));
  return steps.sort((a, b) => at(a) - at(b) || a.seq - b.seq);
}

/** Every order the app may have taken the steps in: each pair made at the same moment, either way round. */
function orderings(steps: Step[]): Step[][] {
  let orders: Step[][] = [[]];
  for (let i = 0; i < steps.length; i++) {
    const [a, b] = [steps[i]!, steps[i + 1]];
    if (b && a.group !== undefined && a.group === b.group) {
      orders = orders.flatMap((o) => [[...o, a, b], [...o, b, a]]);
      i++;
    } else orders = orders.map((o) => [...o, a]);
  }
  return orders;
}

/** Opt-outs between two STARTs make one episode. */
function episodes(order: Step[]): Episode[] {
  const list: Episode[] = [{ sure: false, maybe: false, by: [] }];
  for (const e of order) {
    const current = list.at(-1)!;
    if (e.type === 'inbound' && e.text === 'START') {
      list.push({ sure: false, maybe: false, by: [] });
      continue;
    }
    current.by.push(e.type === 'optout' ? `/wa optout (${e.outcome})` : 'STOP');
    if (e.type === 'inbound' || e.outcome === 'done') current.sure = true;
    else if (e.outcome === 'unknown') current.maybe = true;
  }
  return list;
}

/** One order's verdict, given the contact's final status and the confirmations WhatsApp got. */
function judge(contact: string, order: Step[], status: string, got: number): Violation[] {
  const list = episodes(order);
  const last = list.at(-1)!;
  // The episode still open at the end owes its confirmation; one a START closed may have lost it
  // (the gate refuses an opt-out confirmation once consent is pending again), never gained two.
  const min = last.sure ? 1 : 0;
  const max = list.filter((p) => p.sure || p.maybe).length;
  const out: Violation[] = [];
  if (got < min || got > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    out.push({ invariant: 'stopEndsOptedOut', detail: `${contact} got ${got} opt-out confirmations, expected ${want} (opt-outs: ${list.map((p) => `[${p.by.join(', ')}]`).join(' START ')})` });
  }
  if (last.sure && status !== 'opted_out') out.push({ invariant: 'stopEndsOptedOut', detail: `${contact} ended "${status}" after ${last.by.join(', ')} with no START after it` });
  return out;
}

/**
 * 3 — the last episode, if it opted out, must end opted out with its one confirmation; earlier ones
 * get at most one each. Steps made at the same moment may have been taken in either order: the
 * run passes if some order explains what happened.
 */
export async function stopEndsOptedOut(world: World): Promise<Violation[]> {
  const out: Violation[] = [];
  const contacts = new Set(world.events.flatMap((e) => ('contact' in e ? [e.contact] : [])));
  for (const contact of contacts) {
    const status = (await world.oracle.contacts.findByWaId(contact))?.consent.status ?? 'no contact';
    const got = world.gateway.sent.filter((s) => s.kind === 'text' && s.chatId === contact && s.text === optOutConfirmation).length;
    const verdicts = orderings(stepsOf(world, contact)).map((order) => judge(contact, order, status, got));
    if (!verdicts.some((v) => v.length === 0)) out.push(...verdicts[0]!);
  }
  return out;
}
