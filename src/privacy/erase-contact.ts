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

/**
 * Erases a person: under each WhatsApp id they wrote from, the app's posts and files in their Slack
 * thread, their messages and held files, their conversation history and owed replies; the ledger
 * and audit keep a keyed pseudonym; the contact goes and a keyed suppression keeps the number opted
 * out. Slack first: once the contact is gone its thread can no longer be found. Every step can run
 * again, so a lead whose erasure stopped halfway runs it again.
 */
export async function eraseContact(
  deps: Pick<AppDeps, 'repos' | 'clock' | 'privacy'>,
  client: webApi.WebClient,
  contact: Contact,
  actor: string,
  log: Logger,
): Promise<ErasureReport> {
  const at = deps.clock();
  const twins = await deps.repos.contacts.twinsOf(contact);
  const slack: ThreadCleanup = { deletedPosts: 0, deletedFiles: 0, othersLeft: [] };
  let messages = 0;
  // Twins first: one known only by its @lid cannot be found by phone if the erasure stops halfway.
  for (const one of [...twins, contact]) {
    if (one.slack) add(slack, await cleanThread(client, one.slack, log));
    messages += await deps.repos.messages.eraseContact(one.waId);
    await deps.repos.erasure.pseudonymize(one.waId, one.slack);
    const pseudonym = deps.privacy.pseudonym(one.waId);
    await deps.repos.consentLedger.append({ contact: pseudonym, type: 'erased', source: 'slack:command', actor, evidence: 'personal data erased on request', at });
    await deps.repos.contacts.erase(one.waId, at, actor);
    await deps.repos.audit.record({ actor, action: 'forget', args: { contact: pseudonym }, outcome: 'ok', at });
  }
  return { ids: twins.length + 1, messages, slack };
}

function add(total: ThreadCleanup, one: ThreadCleanup): void {
  total.deletedPosts += one.deletedPosts;
  total.deletedFiles += one.deletedFiles;
  total.othersLeft.push(...one.othersLeft);
  if (one.incomplete) total.incomplete = one.incomplete;
}
