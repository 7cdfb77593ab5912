import { createBridge, type Bridge } from './bridge/bridge';
import { createBroadcasts } from './broadcast/broadcasts';
import { createProgressMessages } from './broadcast/progress-message';
import { createReplyIntake, type ReplyIntake } from './bridge/outbound/reply-intake';
import { systemClock, type Clock } from './clock';
import type { AppDeps } from './app-deps';
import type { Config } from './config';
import { createHealth } from './health';
import { createHygiene } from './hygiene/hygiene';
import { createHygieneScheduler, type HygieneScheduler } from './hygiene/scheduler';
import type { Logger } from './logger';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './slack/app';
import { createCards } from './slack/card-refresh';
import { agentSignatures } from './workflow/agent-signature';
import { startSnoozeWaker, type SnoozeWaker } from './workflow/snooze-waker';
import { connectStore } from './store/connect';
import { createModels, syncIndexes } from './store/models';
import { createPrivacy } from './privacy/privacy';
import { createRepositories, type Repositories } from './store/repositories';
import { cachedSettings } from './store/repositories/cached-settings';
import { HOURS_KEY } from './hours/hours-store';
import { AUTO_REPLIES_KEY } from './auto-reply/auto-reply-settings';
import { resolveStore } from './store/resolve-store';
import { startAdminNotifier, type AdminNotifier } from './slack/admin/admin-notifier';
import { createGateway } from './whatsapp/create-gateway';
import type { WhatsAppGateway } from './whatsapp/gateway';
import { renderQrPng } from './whatsapp/login-qr';
import { printLoginQrs, terminalPrinter } from './whatsapp/terminal-qr';
import type { WwebjsClient } from './whatsapp/wwebjs-client';

/** How long another instance may go on with business hours or automatic replies a lead changed. */
const SETTINGS_CACHE_MS = 2_000;

export interface RunningApp {
  deps: AppDeps;
  /** The HTTP port actually bound (Slack requests in HTTP mode, health routes in both). */
  port: number;
  /** Keeps the admin channel's status message current (when SLACK_ADMIN_CHANNEL is set). */
  adminNotifier?: AdminNotifier;
  /** Mirroring in both directions (tests drive its dispatchers). */
  bridge: Bridge;
  /** The hygiene jobs' schedules (tests run catch-up and slots directly). */
  scheduler: HygieneScheduler;
  /** Ends snoozes (every 30 s; tests call it after moving the clock). */
  snoozes: SnoozeWaker;
  /** Retries agents' replies a store failure left owed (tests call `runDue()` after moving the clock). */
  replyIntake: ReplyIntake;
  /** Stops taking work, lets in-flight work finish, closes the store. */
  stop(): Promise<void>;
}

/** What tests (and only tests) swap: the edges we cannot reach from here. */
export interface StartOverrides {
  clock?: Clock;
  gateway?: WhatsAppGateway;
  /** Keeps the production gateway chain (throttle, lease, watchdog) but scripts the browser side. */
  whatsappClient?: () => WwebjsClient;
  slack?: SlackAppOptions;
  /** Jitter source for retries (tests make it predictable). */
  random?: () => number;
  /** Where the login QR is drawn, as on a terminal; by default stderr, and only when it is a terminal. */
  printQr?: (text: string) => void;
  /** Stands between the app and its store (fault-injection tests fail or stop chosen repository calls). */
  wrapRepositories?: (repos: Repositories) => Repositories;
}

/**
 * The composition root: store → repositories → gateway → Slack app → start. `main.ts` calls it
 * with the real environment; integration tests call it with a test config and fakes at the edges.
 */
export async function startApp(config: Config, logger: Logger, overrides: StartOverrides = {}): Promise<RunningApp> {
  const clock = overrides.clock ?? systemClock;
  const store = await resolveStore({ logger, ...config.store, mode: 'app' });
  const cleanup: Array<() => Promise<void>> = [() => store.stop()];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => logger.warn({ err }, 'cleanup step failed'));
  };
  try {
    const connection = await connectStore(store.uri);
    cleanup.push(() => connection.close());
    const models = createModels(connection);
    await syncIndexes(models);
    logger.info({ store: store.kind }, 'store connected, indexes built');

    const privacy = createPrivacy(config.privacy);
    // Under the simulator every contact is a played customer; the mark stays if the store is reused.
    const created = createRepositories(models, clock, privacy, { simulatedContacts: config.whatsapp.gateway === 'simulator' });
    // Read on every inbound message (the automatic replies' decision): held for a moment, written through.
    created.settings = cachedSettings(created.settings, [HOURS_KEY, AUTO_REPLIES_KEY], SETTINGS_CACHE_MS);
    const repos = overrides.wrapRepositories ? overrides.wrapRepositories(created) : created;
    const gateway =
      overrides.gateway ?? createGateway({ config: config.whatsapp, clock, logger, leases: repos.leases, createClient: overrides.whatsappClient });
    // Hygiene reports post through the Slack app, which is built below with the deps that include hygiene.
    const built: { slack?: SlackApp } = {};
    // In Socket Mode readiness needs the socket; until the Slack app exists, it is still connecting.
    const connecting = { state: 'connecting' as const, since: clock() };
    const slackLink = config.slack.appToken ? () => built.slack?.link?.() ?? connecting : undefined;
    const health = createHealth({ pingStore: async () => void (await connection.db!.admin().ping()), gateway, clock, sampleEveryMs: 15_000, detailsToken: config.health.token, slack: slackLink });
    cleanup.push(async () => health.stop());
    // The Cloud API's 24-hour reply window is shown on the card (and only there is it enforced).
    const replyWindow = config.whatsapp.gateway === 'cloud' ? { replyWindow: { clock, timeZone: config.reportsTimezone } } : {};
    const cards = createCards({ settings: repos.settings, notePrefix: config.bridge.internalNotePrefix, ...replyWindow });
    const onBroadcastProgress = createProgressMessages({
      client: () => built.slack!.app.client,
      broadcasts: repos.broadcasts,
      outcomes: repos.broadcastOutcomes,
      channel: config.slack.adminChannel,
      connected: () => gateway.status().state === 'connected',
      clock,
      logger,
    });
    const bridge = createBridge({ config, repos, gateway, clock, logger, cards, random: overrides.random, onBroadcastProgress });
    const hygiene = createHygiene({ config, repos, clock, logger, slack: () => built.slack!.app.client });
    const scheduler = createHygieneScheduler({
      runner: hygiene.runner,
      slots: repos.jobSlots,
      settings: hygiene.settings,
      clock,
      logger,
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      leaseMs: 30 * 60_000,
      refreshEveryMs: 60_000,
    });
    hygiene.onSettingsChanged(() => scheduler.refresh());
    const signature = agentSignatures(config.bridge.signature, clock);
    const replyIntake = createReplyIntake({ config, repos, clock, logger, signature, wakeOutbound: (waId) => bridge.wakeOutbound(waId), slack: () => built.slack!.app.client, random: overrides.random });
    const broadcasts = createBroadcasts({
      broadcasts: repos.broadcasts,
      messages: repos.messages,
      gateway: config.whatsapp.gateway,
      maxPerWeek: config.broadcasts.maxPerWeek,
      approvalOver: config.broadcasts.approvalOver,
      clock,
    });
    const deps: AppDeps = { config, logger, clock, privacy, repos, gateway, health, bridge, hygiene, scheduler, cards, signature, replyIntake, broadcasts };

    const slack = (built.slack = await createSlackApp(deps, overrides.slack));
    const { port } = await slack.start();
    cleanup.push(() => slack.stop());
    const adminChannel = config.slack.adminChannel;
    const adminNotifier = adminChannel
      ? startAdminNotifier({ client: slack.app.client, channel: adminChannel, gateway, settings: repos.settings, logger, renderQr: renderQrPng })
      : undefined;
    if (adminNotifier) cleanup.push(() => adminNotifier.stop());
    const stopQrPrinting = printLoginQrs(gateway, logger, overrides.printQr ?? terminalPrinter(process.stderr), { adminChannel });
    cleanup.push(async () => stopQrPrinting());
    bridge.start();
    cleanup.push(() => bridge.stop());
    const snoozes = startSnoozeWaker({ conversations: repos.conversations, notices: bridge.notices, clock, logger, everyMs: 30_000 });
    cleanup.push(async () => snoozes.stop());
    replyIntake.start();
    cleanup.push(() => replyIntake.stop());
    // After Slack is up: a catch-up report needs the client.
    cleanup.push(() => scheduler.stop());
    await scheduler.start();
    // A real gateway never fails the app here (WhatsApp trouble becomes a state; Slack keeps working);
    // the simulator refuses to start beside a real WhatsApp session (SIMULATOR_REFUSED), which does.
    await gateway.start();
    cleanup.push(() => gateway.stop());
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', whatsapp: gateway.status().state }, 'switchboard started');
    return { deps, port, adminNotifier, bridge, scheduler, snoozes, replyIntake, stop: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}
