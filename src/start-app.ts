import { createBridge, type Bridge } from './bridge/bridge';
import { systemClock, type Clock } from './clock';
import type { AppDeps } from './app-deps';
import type { Config } from './config';
import { createHealth } from './health';
import type { Logger } from './logger';
import { createSlackApp, type SlackAppOptions } from './slack/app';
import { connectStore } from './store/connect';
import { createModels, syncIndexes } from './store/models';
import { createRepositories } from './store/repositories';
import { resolveStore } from './store/resolve-store';
import { startAdminNotifier, type AdminNotifier } from './slack/admin/admin-notifier';
import { createGateway } from './whatsapp/create-gateway';
import type { WhatsAppGateway } from './whatsapp/gateway';
import { renderQrPng } from './whatsapp/login-qr';
import { printLoginQrs } from './whatsapp/terminal-qr';
import type { WwebjsClient } from './whatsapp/wwebjs-gateway';

export interface RunningApp {
  deps: AppDeps;
  /** The HTTP port actually bound (Slack requests in HTTP mode, health routes in both). */
  port: number;
  /** Keeps the admin channel's status message current (when SLACK_ADMIN_CHANNEL is set). */
  adminNotifier?: AdminNotifier;
  /** Mirroring in both directions (tests drive its dispatchers). */
  bridge: Bridge;
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
  /** Where the login QR is drawn; stderr by default. */
  printQr?: (text: string) => void;
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

    const repos = createRepositories(models, clock);
    const gateway =
      overrides.gateway ?? createGateway({ config: config.whatsapp, clock, logger, leases: repos.leases, createClient: overrides.whatsappClient });
    const health = createHealth({ pingStore: async () => void (await connection.db!.admin().ping()), gateway });
    const bridge = createBridge({ config, repos, gateway, clock, logger, random: overrides.random });
    const deps: AppDeps = { config, logger, clock, repos, gateway, health, bridge };

    const slack = await createSlackApp(deps, overrides.slack);
    const { port } = await slack.start();
    cleanup.push(() => slack.stop());
    const adminChannel = config.slack.adminChannel;
    const adminNotifier = adminChannel
      ? startAdminNotifier({ client: slack.app.client, channel: adminChannel, gateway, settings: repos.settings, logger, renderQr: renderQrPng })
      : undefined;
    if (adminNotifier) cleanup.push(() => adminNotifier.stop());
    const stopQrPrinting = printLoginQrs(gateway, logger, overrides.printQr ?? ((text) => process.stderr.write(text)));
    cleanup.push(async () => stopQrPrinting());
    bridge.start();
    cleanup.push(() => bridge.stop());
    // Starting the gateway never fails the app: WhatsApp trouble becomes a state; Slack keeps working.
    await gateway.start();
    cleanup.push(() => gateway.stop());
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http', whatsapp: gateway.status().state }, 'switchboard started');
    return { deps, port, adminNotifier, bridge, stop: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}
