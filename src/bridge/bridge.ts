import { webApi } from '@slack/bolt';
import type { BroadcastFigures, BroadcastRunner } from '../broadcast/broadcast-runner';
import type { Broadcast } from '../domain/broadcast';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { inboundConsent } from '../consent/inbound-consent';
import { settleOwedOptOuts } from '../consent/record-opt-out';
import { inheritOptOut } from '../consent/twins';
import { createHelpMatcher, createKeywordClassifier, defaultKeywordLists } from '../consent/keywords';
import type { Logger } from '../logger';
import { boltLogger } from '../slack/bolt-logger';
import type { Cards } from '../slack/card-refresh';
import type { Repositories } from '../store/repositories';
import type { WhatsAppGateway } from '../whatsapp/gateway';
import { createConversationNotices, type ConversationNotices } from '../workflow/conversation-notices';
import { Dispatcher } from './dispatch/dispatcher';
import { LaneLimiter } from './dispatch/lane-limiter';
import { autoReplierFor, broadcastRunnerFor } from './bridge-extras';
import { startCatchUp, type CatchUp, type CatchUpState } from './inbound/catch-up';
import { startContactChanges } from './inbound/contact-changes';
import { startInboundRecorder } from './inbound/inbound-recorder';
import { startMarketingPreferences } from './inbound/marketing-preferences';
import { startPhoneSends } from './inbound/phone-sends';
import { slackDeliverer } from './inbound/slack-deliverer';
import { startAckReactions } from './outbound/ack-reactions';
import { whatsappDeliverer } from './outbound/whatsapp-deliverer';

export interface Bridge {
  /** WhatsApp → Slack. */
  toSlack: Dispatcher;
  /** Slack → WhatsApp. */
  toWhatsApp: Dispatcher;
  wakeOutbound(contactWaId?: string): void;
  /** Conversation notices ("open again…"), owed and recorded durably. */
  notices: ConversationNotices;
  /** Broadcasts being sent (a pass every second on the instance holding the WhatsApp session). */
  broadcasts: BroadcastRunner;
  start(): void;
  /** Resolves once every inbound event seen so far (the contacts' messages, and ours from the phone) is stored (tests). */
  recorded(): Promise<void>;
  /** Catches up with WhatsApp now (it does so by itself on every connect); resolves with how many messages were new. */
  catchUp(): Promise<number>;
  /** Whether replies wait for the catch-up after WhatsApp's latest connect (`/wa status`). */
  catchUpState(): CatchUpState;
  /** Finishes what a crash left half-done: opt-outs, automatic replies and inbound messages (every minute by itself, and after each catch-up); resolves with how many. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export interface BridgeDeps {
  config: Config;
  repos: Repositories;
  gateway: WhatsAppGateway;
  clock: Clock;
  logger: Logger;
  cards: Cards;
  random?: () => number;
  /** The leads' progress message for a broadcast (see broadcast/progress-message.ts). */
  onBroadcastProgress?: (broadcast: Broadcast, figures: BroadcastFigures) => Promise<void>;
}

/** How often broadcasts are advanced. */
const BROADCAST_PASS_MS = 1_000;

/** How often messages left half-recorded by a crash are looked for. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Both directions of mirroring, wired: the inbound recorder and consent keywords, the two durable
 * dispatchers, and delivery acks. Its Slack client has retries off — the dispatchers retry, durably,
 * and honour Retry-After themselves.
 */
export function createBridge(deps: BridgeDeps): Bridge {
  const { config, repos, gateway, clock, logger } = deps;
  const client = new webApi.WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    logger: boltLogger(logger),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
  });
  const limiter = new LaneLimiter({ perSecond: config.bridge.slackPostsPerSecond, burst: config.bridge.slackPostBurst });
  const common = { messages: repos.messages, clock, logger, random: deps.random };
  const toSlack = new Dispatcher({
    ...common,
    name: 'slack',
    direction: 'inbound',
    deliverer: slackDeliverer({
      client,
      limiter,
      media: repos.media,
      contacts: repos.contacts,
      labels: repos.labels,
      messages: repos.messages,
      inboxChannel: config.slack.inboxChannel,
      cards: deps.cards,
      logger,
    }),
  });
  let catchUp: CatchUp | undefined;
  // Replies to a contact go out only after the catch-up since WhatsApp's latest connect has read
  // (and recorded) what they sent meanwhile — a STOP, say.
  const caughtUp = (contact: string) => catchUp?.caughtUp(contact) ?? false;
  const toWhatsApp = new Dispatcher({
    ...common,
    name: 'whatsapp',
    direction: 'outbound',
    // Only the instance holding the WhatsApp session claims replies: a standby's claim would sit in
    // its own throttle while the holder's pass finds it lapsed.
    ready: (contact) => gateway.status().state === 'connected' && caughtUp(contact),
    deliverer: whatsappDeliverer({
      gateway,
      contacts: repos.contacts,
      conversations: repos.conversations,
      cards: deps.cards,
      messages: repos.messages,
      media: repos.media,
      client,
      clock,
      logger,
      caughtUp,
      settings: repos.settings,
      intakes: repos.intakes,
      simulator: config.whatsapp.gateway === 'simulator',
      quietHours: { hours: config.broadcasts.quietHours, timeZone: config.reportsTimezone },
      ledger: repos.consentLedger,
    }),
  });
  const notices = createConversationNotices({ messages: repos.messages, conversations: repos.conversations, wakeSlack: (contact) => toSlack.wake(contact), clock, logger });
  const lists = defaultKeywordLists();
  const classify = createKeywordClassifier({ ...lists, optOut: [...lists.optOut, ...config.bridge.extraOptOutKeywords] });
  const isHelpKeyword = createHelpMatcher();
  const extras = {
    config,
    repos,
    gateway,
    isConsentKeyword: (text: string) => classify(text) !== null,
    isHelpKeyword,
    wakeSlack: (contact: string) => toSlack.wake(contact),
    wakeWhatsApp: (contact: string) => toWhatsApp.wake(contact),
    ...(deps.onBroadcastProgress ? { onBroadcastProgress: deps.onBroadcastProgress } : {}),
    clock,
    logger,
  };
  const autoReplier = autoReplierFor(extras);
  const broadcasts = broadcastRunnerFor(extras);
  let broadcaster: NodeJS.Timeout | undefined;
  let recorder: ReturnType<typeof startInboundRecorder> | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  /**
   * What a crash left half-done: opt-outs owing their ledger entry or confirmation (any instance:
   * idempotent), and inbound messages owing steps (only where the session runs and the catch-up is
   * done: elsewhere they are someone else's to finish, and their files can only come from WhatsApp).
   */
  async function sweep(): Promise<number> {
    try {
      const optOuts = await settleOwedOptOuts({ contacts: repos.contacts, ledger: repos.consentLedger, messages: repos.messages, confirmation: config.bridge.optOutConfirmation, clock });
      if (optOuts > 0) toWhatsApp.wake();
      // Automatic replies claimed and left owed: keyed, so any instance may store them.
      const replies = await autoReplier.sweep();
      const holder = gateway.status().state === 'connected' && catchUp?.state().done;
      const messages = recorder && holder ? await recorder.sweep() : 0;
      return optOuts + replies + messages;
    } catch (err) {
      logger.warn({ err }, 'could not look for work left half-done by a crash; will look again');
      return 0;
    }
  }
  let phoneSends: ReturnType<typeof startPhoneSends> | undefined;
  let stopAcks: (() => void) | undefined;
  let stopChanges: (() => void) | undefined;
  let stopPreferences: (() => void) | undefined;

  return {
    toSlack,
    toWhatsApp,
    wakeOutbound: (contact) => toWhatsApp.wake(contact),
    notices,
    broadcasts,
    start() {
      recorder = startInboundRecorder({
        gateway,
        messages: repos.messages,
        contacts: repos.contacts,
        consent: inboundConsent({
          contacts: repos.contacts,
          ledger: repos.consentLedger,
          messages: repos.messages,
          classify,
          wording: { optOutConfirmation: config.bridge.optOutConfirmation, optInRequest: config.bridge.optInRequest },
          answerWindowMs: config.bridge.optInAnswerWindowMs,
          optInExpiryMs: config.hygiene.optInExpiryDays * 86_400_000,
          clock,
        }),
        isConsentKeyword: (text) => classify(text) !== null,
        autoReply: autoReplier,
        isHelpKeyword,
        inheritOptOut: (contact) => inheritOptOut({ contacts: repos.contacts, ledger: repos.consentLedger }, contact),
        notices,
        media: repos.media,
        mediaMaxBytes: config.bridge.mediaMaxBytes,
        wakeSlack: (contact) => toSlack.wake(contact),
        wakeWhatsApp: (contact) => toWhatsApp.wake(contact),
        clock,
        logger,
      });
      phoneSends = startPhoneSends({
        gateway,
        messages: repos.messages,
        contacts: repos.contacts,
        conversations: repos.conversations,
        media: repos.media,
        mediaMaxBytes: config.bridge.mediaMaxBytes,
        wakeSlack: (contact) => toSlack.wake(contact),
        sequence: recorder.sequence,
        clock,
        logger,
      });
      // Every time WhatsApp connects: what arrived while the app was away, or was lost in a crash.
      catchUp = startCatchUp({
        gateway,
        contacts: repos.contacts,
        messages: repos.messages,
        accept: recorder.accept,
        hold: both(recorder.hold, phoneSends.hold),
        recorded: recorder.drained,
        // Replies queued while WhatsApp was away (or waiting for this) go out now; what a crash left
        // half-recorded, and the catch-up did not hand over again, is finished.
        onCaughtUp: (contact) => {
          toWhatsApp.wake(contact);
          if (contact === undefined) void sweep();
        },
        clock,
        logger,
      });
      stopAcks = startAckReactions({ gateway, messages: repos.messages, contacts: repos.contacts, client, logger });
      stopChanges = startContactChanges({ gateway, messages: repos.messages, contacts: repos.contacts, client, logger });
      stopPreferences = startMarketingPreferences({ gateway, ledger: repos.consentLedger, logger });
      sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS).unref();
      broadcaster = setInterval(() => void broadcasts.tick(), BROADCAST_PASS_MS).unref();
      toSlack.start();
      toWhatsApp.start();
    },
    recorded: () => recorder?.idle() ?? Promise.resolve(),
    sweep,
    catchUpState: () => catchUp?.state() ?? { done: false },
    catchUp: () => catchUp?.run() ?? Promise.resolve(0),
    async stop() {
      clearInterval(sweeper);
      clearInterval(broadcaster);
      catchUp?.stop();
      stopAcks?.();
      stopChanges?.();
      stopPreferences?.();
      phoneSends?.stop();
      await recorder?.stop();
      await Promise.all([toSlack.stop(), toWhatsApp.stop()]);
    },
  };
}

/** Holds both at once; the returned release lets both go. */
function both(a: () => () => void, b: () => () => void): () => () => void {
  return () => {
    const [releaseA, releaseB] = [a(), b()];
    return () => {
      releaseA();
      releaseB();
    };
  };
}
