import type { webApi } from '@slack/bolt';
import type { Bridge } from './bridge/bridge';
import type { Broadcasts } from './broadcast/broadcasts';
import type { ReplyIntake } from './bridge/outbound/reply-intake';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Health } from './health';
import type { Cards } from './slack/card-refresh';
import type { Hygiene } from './hygiene/hygiene';
import type { HygieneScheduler } from './hygiene/scheduler';
import type { Logger } from './logger';
import type { Privacy } from './privacy/privacy';
import type { Repositories } from './store/repositories';
import type { WhatsAppGateway } from './whatsapp/gateway';

/**
 * What listeners, jobs and the bridge may depend on. Built once by the composition root; each
 * factory takes the parts it needs from it, never a module-level singleton.
 */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Keyed pseudonyms and suppression keys (PRIVACY_KEY). */
  privacy: Privacy;
  repos: Repositories;
  gateway: WhatsAppGateway;
  health: Health;
  bridge: Pick<Bridge, 'wakeOutbound' | 'catchUpState' | 'recorded' | 'broadcasts'>;
  /** Leads' broadcasts: preview, create, approve, pause, resume, cancel (the runner sends them: bridge.broadcasts). */
  broadcasts: Broadcasts;
  hygiene: Hygiene;
  /** The agent's signature line for WhatsApp replies (per AGENT_SIGNATURE). */
  signature: (client: webApi.WebClient, user: string) => Promise<string>;
  /** The contact card, drawn and redrawn in place. */
  cards: Cards;
  scheduler: Pick<HygieneScheduler, 'nextRuns'>;
  /** Agents' replies, stored before they are processed (thread replies and modal replies). */
  replyIntake: Pick<ReplyIntake, 'take' | 'takeModal'>;
}
