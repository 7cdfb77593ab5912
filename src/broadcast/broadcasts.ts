import type { Clock } from '../clock';
import type { Broadcast, BroadcastAudience, BroadcastMessage } from '../domain/broadcast';
import type { MessageRepository } from '../domain/message';
import { AppError } from '../errors';
import type { BroadcastRepository } from '../store/repositories/broadcast-repository';
import type { Plan } from './plan';
import { gatewayRules, planAudience } from './planner';

export interface BroadcastDraft {
  name: string;
  author: string;
  audience: BroadcastAudience;
  message: BroadcastMessage;
  /** Absent: now. */
  sendAt?: Date;
}

export interface BroadcastsDeps {
  broadcasts: BroadcastRepository;
  messages: Pick<MessageRepository, 'withdrawBroadcast'>;
  gateway: string;
  maxPerWeek: number;
  approvalOver: number;
  clock: Clock;
}

/** A lead's actions on broadcasts; every state change is one conditional write, so two leads (or two clicks) cannot both win. */
export interface Broadcasts {
  preview(audience: BroadcastAudience): Promise<Plan>;
  /** Plans it and stores it: waiting for a second lead over the threshold, else scheduled (now or later). */
  create(draft: BroadcastDraft): Promise<{ broadcast: Broadcast; plan: Plan }>;
  approve(id: string, lead: string): Promise<Broadcast>;
  reject(id: string, lead: string): Promise<Broadcast>;
  pause(id: string): Promise<Broadcast>;
  resume(id: string): Promise<Broadcast>;
  cancel(id: string): Promise<Broadcast>;
}

export function createBroadcasts(deps: BroadcastsDeps): Broadcasts {
  const preview = (audience: BroadcastAudience) => planAudience(deps, audience, { gateway: deps.gateway, maxPerWeek: deps.maxPerWeek, now: deps.clock() });

  async function move(id: string, from: Broadcast['state'][], to: Broadcast['state'], set: Partial<Broadcast> = {}, what: string): Promise<Broadcast> {
    const moved = await deps.broadcasts.transition(id, from, to, set);
    if (moved) return moved;
    const current = await deps.broadcasts.get(id);
    if (!current) throw new AppError('BROADCAST_NOT_FOUND', 'No such broadcast (it may have been removed).');
    throw new AppError('BROADCAST_STATE', `This broadcast is ${current.state.replace('_', ' ')}: it cannot be ${what} now.`, { state: current.state });
  }

  return {
    preview,
    async create(draft) {
      const now = deps.clock();
      const sendAt = draft.sendAt ?? now;
      if (sendAt.getTime() < now.getTime() - 60_000) throw new AppError('BAD_ARGUMENTS', 'That time is in the past.');
      // Free text reaches only people who wrote in the last 24 hours there: a broadcast is a template.
      if (deps.gateway === 'cloud' && draft.message.kind !== 'template') {
        throw new AppError('BAD_ARGUMENTS', 'On the WhatsApp Cloud API a broadcast must be an approved template: free text reaches only people who wrote in the last 24 hours.');
      }
      if (draft.message.kind === 'template' && deps.gateway !== 'cloud') throw new AppError('BAD_ARGUMENTS', 'Templates can only be sent through the WhatsApp Cloud API.');
      if (draft.message.kind === 'template' && !draft.message.hasOptOutButton) {
        throw new AppError('BAD_ARGUMENTS', 'This template has no opt-out button, and a line cannot be added to a template: add a “Stop promotions” button to it in WhatsApp Manager first.');
      }
      const plan = await preview(draft.audience);
      if (plan.recipients.length === 0) throw new AppError('BROADCAST_EMPTY', 'Nobody in this audience can receive a broadcast (see the reasons in the preview).');
      const limit = gatewayRules(deps.gateway).limit;
      if (limit !== undefined && (plan.excluded.over_limit ?? 0) > 0) {
        const total = plan.recipients.length + (plan.excluded.over_limit ?? 0);
        throw new AppError(
          'BROADCAST_TOO_LARGE',
          `WhatsApp Web sends a broadcast to at most ${limit} people, and this audience has ${total}. Narrow it with labels, or use the WhatsApp Cloud API (WHATSAPP_GATEWAY=cloud), which has no such limit.`,
        );
      }
      const state = plan.recipients.length > deps.approvalOver ? 'awaiting_approval' : 'scheduled';
      const broadcast = await deps.broadcasts.create({
        ...draft,
        sendAt,
        state,
        gateway: deps.gateway,
        planned: { recipients: plan.recipients.length, excluded: plan.excluded },
        createdAt: now,
      });
      return { broadcast, plan };
    },
    async approve(id, lead) {
      const broadcast = await deps.broadcasts.get(id);
      if (!broadcast) throw new AppError('BROADCAST_NOT_FOUND', 'No such broadcast.');
      // Four eyes: the author's own approval would be one pair.
      if (broadcast.author === lead) throw new AppError('FORBIDDEN', 'You wrote this broadcast: another lead must approve it.');
      return move(id, ['awaiting_approval'], 'scheduled', { approvedBy: lead }, 'approved');
    },
    reject: (id, lead) => move(id, ['awaiting_approval'], 'rejected', { rejectedBy: lead }, 'rejected'),
    pause: (id) => move(id, ['sending', 'scheduled'], 'paused', {}, 'paused'),
    // Resumed to sending: a paused broadcast that had not started yet starts now (its time is past).
    resume: (id) => move(id, ['paused'], 'sending', {}, 'resumed'),
    async cancel(id) {
      const cancelled = await move(id, ['awaiting_approval', 'scheduled', 'sending', 'paused'], 'cancelled', { finishedAt: deps.clock() }, 'cancelled');
      await deps.messages.withdrawBroadcast(id, 'the broadcast was cancelled');
      return cancelled;
    },
  };
}
