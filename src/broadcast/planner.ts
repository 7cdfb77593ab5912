import type { BroadcastAudience } from '../domain/broadcast';
import type { BroadcastRepository } from '../store/repositories/broadcast-repository';
import { personOf, planBroadcast, type Plan } from './plan';

/** WhatsApp Business App broadcast lists hold at most 256 people; on WhatsApp Web that is the limit. */
export const WWEBJS_BROADCAST_LIMIT = 256;

export interface GatewayRules {
  limit?: number;
  onlyWhoWrote: boolean;
}

/** What each gateway allows a broadcast: WhatsApp Web (and its stand-ins) the Business App's rules; the Cloud API none of its own. */
export function gatewayRules(gateway: string): GatewayRules {
  return gateway === 'cloud' ? { onlyWhoWrote: false } : { limit: WWEBJS_BROADCAST_LIMIT, onlyWhoWrote: true };
}

/**
 * The plan for an audience as the store holds it now: one pass over the audience's contacts (a
 * projection, in large batches) and one query for the opted-out other ids of those who have one.
 */
export async function planAudience(
  deps: { broadcasts: Pick<BroadcastRepository, 'audience' | 'twinsOptedOut'> },
  audience: BroadcastAudience,
  options: { gateway: string; maxPerWeek: number; now: Date },
): Promise<Plan> {
  const weekAgo = options.now.getTime() - 7 * 86_400_000;
  const rows = [];
  const aliases = new Map<string, string>();
  const weekCounts = new Map<string, number>();
  for await (const row of deps.broadcasts.audience(audience.labels)) {
    rows.push(row);
    if (row.aliasWaId) aliases.set(row.waId, row.aliasWaId);
    const lately = (row.broadcastLog ?? []).filter((entry) => entry.at.getTime() >= weekAgo).length;
    const person = personOf(row);
    if (lately > (weekCounts.get(person) ?? 0)) weekCounts.set(person, lately);
  }
  const twinOptedOut = await deps.broadcasts.twinsOptedOut(aliases);
  return planBroadcast(rows, { audience, ...gatewayRules(options.gateway), maxPerWeek: options.maxPerWeek, weekCounts, twinOptedOut });
}
