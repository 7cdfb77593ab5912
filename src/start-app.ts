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
import type { WhatsAppGateway } from './whatsapp/gateway';
import { createNullGateway } from './whatsapp/null-gateway';

export interface RunningApp {
  deps: AppDeps;
  /** The HTTP port actually bound (Slack requests in HTTP mode, health routes in both). */
  port: number;
  /** Stops taking work, lets in-flight work finish, closes the store. */
  stop(): Promise<void>;
}

/** What tests (and only tests) swap: the edges we cannot reach from here. */
export interface StartOverrides {
  clock?: Clock;
  gateway?: WhatsAppGateway;
  slack?: SlackAppOptions;
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

    const gateway = overrides.gateway ?? createGateway(config, clock, logger);
    const health = createHealth({ pingStore: async () => void (await connection.db!.admin().ping()), gateway });
    const deps: AppDeps = { config, logger, clock, repos: createRepositories(models, clock), gateway, health };

    const slack = await createSlackApp(deps, overrides.slack);
    const { port } = await slack.start();
    cleanup.push(() => slack.stop());
    await gateway.start();
    cleanup.push(() => gateway.stop());
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'switchboard started');
    return { deps, port, stop: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}

function createGateway(config: Config, clock: Clock, logger: Logger): WhatsAppGateway {
  if (config.whatsapp.gateway === 'wwebjs') {
    // The whatsapp-web.js adapter is its own piece of work (see README → WhatsApp); until it lands
    // the app runs the Slack side alone rather than refusing to start.
    logger.warn('WHATSAPP_GATEWAY=wwebjs is not available in this build yet; running the Slack side only');
  }
  return createNullGateway(clock);
}
