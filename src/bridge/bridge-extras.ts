import { createAutoReplier, type AutoReplier } from '../auto-reply/auto-replier';
import { createBroadcastRunner, type BroadcastFigures, type BroadcastRunner } from '../broadcast/broadcast-runner';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Broadcast } from '../domain/broadcast';
import type { Logger } from '../logger';
import type { Repositories } from '../store/repositories';
import type { WhatsAppGateway } from '../whatsapp/gateway';

/** What the bridge hands to the messages of ours that it does not mirror: automatic replies and broadcasts. */
export interface ExtrasDeps {
  config: Config;
  repos: Repositories;
  gateway: WhatsAppGateway;
  isConsentKeyword: (text: string) => boolean;
  isHelpKeyword: (text: string) => boolean;
  wakeSlack: (contact: string) => void;
  wakeWhatsApp: (contact: string) => void;
  onBroadcastProgress?: (broadcast: Broadcast, figures: BroadcastFigures) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

export function autoReplierFor(deps: ExtrasDeps): AutoReplier {
  const { config, repos } = deps;
  return createAutoReplier({
    autoReplies: repos.autoReplies,
    messages: repos.messages,
    contacts: repos.contacts,
    settings: repos.settings,
    ...config.autoReplies,
    timeZone: config.reportsTimezone,
    isConsentKeyword: deps.isConsentKeyword,
    isHelpKeyword: deps.isHelpKeyword,
    wakeSlack: deps.wakeSlack,
    wakeWhatsApp: deps.wakeWhatsApp,
    clock: deps.clock,
    logger: deps.logger,
  });
}

export function broadcastRunnerFor(deps: ExtrasDeps): BroadcastRunner {
  const { config, repos, gateway } = deps;
  return createBroadcastRunner({
    broadcasts: repos.broadcasts,
    contacts: repos.contacts,
    messages: repos.messages,
    rules: { ...config.broadcasts, timeZone: config.reportsTimezone },
    gateway: { name: config.whatsapp.gateway, connected: () => gateway.status().state === 'connected' },
    // Two seconds of the gateway's pace waiting in the send queue, never fewer than two.
    window: () => Math.max(2, Math.ceil((gateway.sendsPerSecond?.() ?? configuredPace(config)) * 2)),
    wakeWhatsApp: deps.wakeWhatsApp,
    ...(deps.onBroadcastProgress ? { onProgress: deps.onBroadcastProgress } : {}),
    clock: deps.clock,
    logger: deps.logger,
  });
}

/** Sends a second the configuration allows: the Cloud API's per-number rate, or the anti-ban throttle's. */
function configuredPace(config: Config): number {
  return config.whatsapp.gateway === 'cloud' ? (config.whatsapp.cloud?.sendPerSecond ?? 80) : config.whatsapp.throttle.globalPerMinute / 60;
}
