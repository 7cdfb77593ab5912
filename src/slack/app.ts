import type { Server } from 'node:http';
import { type App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import { AppError } from '../errors';
import { boltLogger } from './bolt-logger';
import { healthRoutes } from './health-routes';
import { createAfterAckQueue } from './after-ack-queue';
import { AFTER_ACK, EarlyAckApp } from './early-ack-app';
import { listenerClientOptions } from './listener-client-options';
import { registerListeners } from './listeners';
import { answerReplays, createReplayGuard, signatureStamp } from './replay-guard';
import { requestContext } from './request-context';
import { everyoneIsAgent } from './roles';
import { createViewOnce, isViewAlreadySubmitted } from './view-once';

export interface SlackApp {
  app: App;
  /** Starts receiving; resolves with the HTTP port actually bound (the health routes are on it in both modes). */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export interface SlackAppOptions {
  /** Overrides for the Web API client, over its retry budget and timeout (tests turn retries off). */
  clientOptions?: webApi.WebClientOptions;
}

/**
 * Builds the Bolt app: checks the bot token (so a bad token fails start-up with one clear line),
 * picks Socket Mode when an app token is configured and the signed HTTP receiver otherwise, and
 * registers every listener.
 */
export async function createSlackApp(deps: AppDeps, options: SlackAppOptions = {}): Promise<SlackApp> {
  const { slack } = deps.config;
  const logger = boltLogger(deps.logger);
  // A small retry budget and a timeout (listener-client-options.ts), not the WebClient's half hour of
  // retries: an unreachable Slack fails start-up in seconds with one clear line, and a listener's call
  // fails within about half a minute instead of holding its work in memory.
  const clientOptions = listenerClientOptions({ ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), logger }, options.clientOptions);
  const identity = await verifyToken(new webApi.WebClient(slack.botToken, clientOptions));
  const customRoutes = healthRoutes(deps.health);
  // A signed request is taken once (its verified signature is recorded), and a modal's submission
  // takes effect once (its view id is recorded); both across instances, in the store.
  const guards = { seen: deps.repos.seenRequests, clock: deps.clock, logger: deps.logger };
  const replays = createReplayGuard(guards);
  const views = createViewOnce(guards);
  const receiver = slack.appToken
    ? new SocketModeReceiver({ appToken: slack.appToken, customRoutes, installerOptions: { port: deps.config.port }, logger })
    : new HTTPReceiver({
        signingSecret: slack.signingSecret,
        customRoutes,
        logger,
        unhandledRequestTimeoutMillis: 2500,
        customPropertiesExtractor: signatureStamp,
        processEventErrorHandler: answerReplays,
      });
  const app = new EarlyAckApp({
    token: slack.botToken,
    receiver,
    logger,
    logLevel: LogLevel.INFO,
    clientOptions,
    // verifyToken above already ran auth.test; Bolt need not repeat it.
    tokenVerificationEnabled: false,
    botId: identity.botId,
    botUserId: identity.botUserId,
    ignoreSelf: true,
    // No conversation store: nothing reads context.conversation, and Bolt's default in-memory one
    // runs a lookup on every request that has a channel, building an Error when none is stored.
    convoStore: false,
  }, createAfterAckQueue(AFTER_ACK), async (event) => views.guard(await replays.admit(event)));
  app.use(requestContext(deps.logger));
  app.error(async (err) => {
    // Already logged where the listener was stopped.
    if (isViewAlreadySubmitted(err)) return;
    deps.logger.error({ err }, 'unhandled error in a Slack listener');
  });
  registerListeners(app, deps);
  if (everyoneIsAgent(slack)) {
    deps.logger.warn(
      'SLACK_AGENTS and SLACK_AGENTS_GROUP are both unset: every member of the Slack workspace acts as an agent (finds contacts, replies to customers, records opt-ins and opt-outs). Set one of them to say who may.',
    );
  }

  return {
    app,
    async start() {
      const started = (await app.start(deps.config.port)) as unknown;
      return { port: boundPort(started, receiver) ?? deps.config.port };
    },
    async stop() {
      await app.stop();
      // Answers owed when the app stops are given before the store closes.
      await app.idle();
    },
  };
}

async function verifyToken(client: webApi.WebClient): Promise<{ botId: string; botUserId: string }> {
  try {
    const auth = await client.auth.test();
    return { botId: String(auth.bot_id ?? ''), botUserId: String(auth.user_id ?? '') };
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    throw new AppError(
      'SLACK_AUTH_FAILED',
      code
        ? `Slack rejected SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token again from your app's OAuth & Permissions page.`
        : `Cannot reach Slack to check SLACK_BOT_TOKEN: ${err instanceof Error ? err.message : String(err)}`,
      { slackError: code },
    );
  }
}

function boundPort(started: unknown, receiver: HTTPReceiver | SocketModeReceiver): number | undefined {
  const server = (started as Server | undefined)?.address ? (started as Server) : (receiver as unknown as { httpServer?: Server }).httpServer;
  const address = server?.address();
  return address && typeof address === 'object' ? address.port : undefined;
}
