import { SIGNING_SECRET } from '../../support/app-harness';
import { nextTs } from '../../support/slack/default-responses';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postSlashCommand } from '../../support/slack/signed-request';
import type { Action, Simple } from './schedule';
import { deliver, target, type PendingEvent } from './slack-events';
import type { Instance, World } from './world';

/** The run's contacts: WhatsApp ids with a known phone number, so `/wa optout +44…` finds them. */
export const contactWaId = (i: number): string => `4479111234${60 + i}@c.us`;
const phoneOf = (waId: string) => `+${waId.split('@')[0]!}`;

const COMMAND_ANSWER_MS = 3_000;

/** Numbers texts so each message and reply can be told apart in Slack and on WhatsApp. */
let serial = 0;

/** Runs one action of the schedule; returns once the app has taken it in (not once it is delivered). */
export async function perform(world: World, action: Action): Promise<void> {
  if (action.kind !== 'together') return performSimple(world, action);
  // Their order is the app's to pick: the judges try both (see invariants.ts).
  const group = ++serial;
  await Promise.all([performSimple(world, action.first, group), performSimple(world, action.second, group)]);
}

async function performSimple(world: World, action: Simple, group?: number): Promise<void> {
  const contact = contactWaId(action.contact);
  if (action.kind === 'inbound') return inbound(world, contact, action.word === 'text' ? `m${++serial} from ${action.contact}` : action.word, group);
  if (action.kind === 'reply') return reply(world, action.via, contact, `r${++serial} to ${action.contact}`);
  const instance = target(world, action.via);
  if (!instance) return; // nobody to take the command: Slack tells the agent it failed; nothing happened
  return optout(world, instance, contact, group);
}

/** A contact writes: heard live by the running instances, or left on the phone while none listens. */
export function inbound(world: World, contact: string, text: string, group?: number): void {
  const seen = world.appListening();
  const message = { id: `false_${contact}_F${++serial}`, from: contact, pushName: 'Fault Contact', content: { kind: 'text' as const, text } };
  const sent = seen ? world.gateway.receive(message) : world.gateway.arriveUnseen(message);
  world.log({ type: 'inbound', contact, id: sent.id, text, seen, ...(group ? { group } : {}) });
}

/** An agent answers in the contact's thread: Slack delivers the event (and retries it later if the app did not take it). */
async function reply(world: World, via: number, contact: string, text: string): Promise<void> {
  const thread = (await world.oracle.contacts.findByWaId(contact))?.slack;
  if (!thread) return; // no thread to answer in (set-up opens one; a crash before it was recorded may not)
  const ts = nextTs();
  const envelope = messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts, eventId: `EvF${ts.replace('.', '')}` });
  const record = world.log({ type: 'reply', contact, channel: thread.channel, ts, text, status: 0 }) as PendingEvent['record'];
  const event: PendingEvent = { envelope, channel: thread.channel, ts, attempts: 0, slot: via, record };
  if (!(await deliver(world, event))) world.pendingEvents.push(event);
}

/** An agent records the contact's opt-out with `/wa optout`; what the app answered says whether it did. */
async function optout(world: World, instance: Instance, contact: string, group?: number): Promise<void> {
  const id = `optout${++serial}`;
  const answered = world.slack.waitForResponse((p) => p.id === id, COMMAND_ANSWER_MS).then(
    (p) => String(p.body.text ?? ''),
    () => '',
  );
  const status = await postSlashCommand(instance.t.baseUrl, SIGNING_SECRET, { text: `optout ${phoneOf(contact)}`, response_url: world.slack.responseUrl(id) }).then(
    (r) => r.status,
    () => 0,
  );
  const text = status === 200 ? await Promise.race([answered, instance.crashed.then(() => '')]) : '';
  const outcome = /is opted out/.test(text) ? 'done' : /already opted out/.test(text) ? 'already' : 'unknown';
  world.log({ type: 'optout', contact, outcome, ...(group ? { group } : {}) });
}
