import type { webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import type { Contact } from '../domain/contact';
import type { Logger } from '../logger';
import { cleanThread, type ThreadCleanup } from './slack-cleanup';

export interface ErasureReport {
  /** 1, or 2 when the person was also known under their other WhatsApp id. */
  ids: number;
  messages: number;
  slack: ThreadCleanup;
}

type Deps = Pick<AppDeps, 'repos' | 'clock' | 'privacy'>;

/**
 * Erases a person under each WhatsApp id they wrote from. In order, each step safe to run again:
 *
 * 1. The erasure is recorded under the person's pseudonym with their Slack threads, and the number
 *    is suppressed at once (the consent gate refuses it from here on).
 * 2. The app's posts and files in their threads are deleted, read from the threads themselves. Slack
 *    first: once the contact is gone its thread could no longer be found — the record keeps it, so
 *    whatever Slack refuses now is finished by {@link finishErasure} (`/wa forget` run again).
 * 3. Messages, held files, history and owed replies go; ledger and audit keep a pseudonym; the
 *    contact goes. Then the store steps run once more: a message or entry written meanwhile (a
 *    message in flight when it began) does not survive in clear.
 */
export async function eraseContact(deps: Deps, client: webApi.WebClient, contact: Contact, actor: string, log: Logger): Promise<ErasureReport> {
  const at = deps.clock();
  const people = [...(await deps.repos.contacts.twinsOf(contact)), contact];
  const key = deps.privacy.pseudonym(contact.waId);
  const threads = people.flatMap((one) => (one.slack ? [{ channel: one.slack.channel, threadTs: one.slack.threadTs }] : []));
  const record = await deps.repos.erasure.begin(key, threads, actor, at);
  // Their other id may be known without ever having written (no contact of its own): it is them too.
  const known = new Set(people.map((one) => one.waId));
  const others = [...new Set(people.flatMap((one) => (one.aliasWaId && !known.has(one.aliasWaId) ? [one.aliasWaId] : [])))];
  for (const waId of [...people.map((one) => one.waId), ...others]) await deps.repos.suppressions.suppress(waId, { reason: 'erased', at: record.startedAt, by: record.by });
  for (const waId of others) await eraseStored(deps, waId);

  const slack = await cleanThreads(client, record.threads, log);
  let messages = 0;
  for (const one of people) {
    const pseudonym = deps.privacy.pseudonym(one.waId);
    messages += await eraseStored(deps, one.waId, one.slack);
    // Keyed on the erasure: run again, it is not written twice.
    await deps.repos.consentLedger.appendOnce([
      { key: `erased:${pseudonym}:${record.startedAt.toISOString()}`, contact: pseudonym, type: 'erased', source: 'slack:command', actor, evidence: 'personal data erased on request', at },
    ]);
    await deps.repos.contacts.erase(one.waId, record.startedAt, record.by);
    await deps.repos.audit.record({ actor, action: 'forget', args: { contact: pseudonym }, outcome: 'ok', at });
    messages += await eraseStored(deps, one.waId, one.slack);
  }
  if (slack.failed === 0) await deps.repos.erasure.slackDone(key);
  return { ids: people.length, messages, slack };
}

/**
 * Finishes the Slack part of an erasure Slack refused earlier (by the pseudonym of the id typed):
 * null when there is none to finish.
 */
export async function finishErasure(deps: Deps, client: webApi.WebClient, waId: string, log: Logger): Promise<ThreadCleanup | null> {
  const key = deps.privacy.pseudonym(waId);
  const record = await deps.repos.erasure.unfinished(key);
  if (!record) return null;
  const slack = await cleanThreads(client, record.threads, log);
  await eraseStored(deps, waId);
  if (slack.failed === 0) await deps.repos.erasure.slackDone(key);
  return slack;
}

async function eraseStored(deps: Deps, waId: string, thread?: Contact['slack']): Promise<number> {
  const count = await deps.repos.messages.eraseContact(waId);
  // Their copies of broadcasts name their number too.
  await deps.repos.broadcasts.eraseContact(waId);
  await deps.repos.erasure.pseudonymize(waId, thread);
  return count;
}

async function cleanThreads(client: webApi.WebClient, threads: Array<{ channel: string; threadTs: string }>, log: Logger): Promise<ThreadCleanup> {
  const total: ThreadCleanup = { deletedPosts: 0, deletedFiles: 0, othersLeft: [], failed: 0 };
  for (const thread of threads) {
    const one = await cleanThread(client, thread, log);
    total.deletedPosts += one.deletedPosts;
    total.deletedFiles += one.deletedFiles;
    total.othersLeft.push(...one.othersLeft);
    total.failed += one.failed;
    total.error ??= one.error;
  }
  return total;
}
