import type { Server } from 'node:http';
import { type App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import { AppError } from '../errors';
import { boltLogger } from './bolt-logger';
import { healthRoutes } from './health-routes';
import { simulatorRoutesFor } from '../whatsapp/simulator/simulator-routes';
import { createAfterAckQueue } from './after-ack-queue';
import { AFTER_ACK, EarlyAckApp } from './early-ack-app';
import { LISTENER_CLIENT_DEFAULTS, listenerClientOptions } from './listener-client-options';
import { registerListeners } from './listeners';
import { answerReplays, createReplayGuard, signatureStamp } from './replay-guard';
import { requestContext } from './request-context';
import { everyoneIsAgent } from './roles';
import { watchSocket, type SlackLinkStatus } from './socket-link';
import { START_CHECK_CLIENT, verifyAppToken, verifyBotToken } from './start-checks';
import { withTimeout } from '../timeout';
import { createViewOnce, isViewAlreadySubmitted } from './view-once';

export interface SlackApp {
  app: App;
  /** Starts receiving; resolves with the HTTP port actually bound (the health routes are on it in both modes). */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** Socket Mode only: whether the WebSocket is connected now, and if not, why. */
  link?: () => SlackLinkStatus;
}

/** How long Socket Mode may take to say hello at start-up before the app gives up with one line. */
export const SOCKET_START_TIMEOUT_MS = 15_000;

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
  // Start-up checks: one quick retry each, so a wrong token or an unreachable Slack is one line within seconds.
  const identity = await verifyBotToken(new webApi.WebClient(slack.botToken, { ...clientOptions, ...START_CHECK_CLIENT }), slack.apiUrl);
  const apiUrl = slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {};
  if (slack.appToken) await verifyAppToken(slack.appToken, { ...apiUrl, logger, ...START_CHECK_CLIENT }, slack.apiUrl);
  // The simulator's page and API (WHATSAPP_GATEWAY=simulator) share the health routes' port.
  const simulator = { public: deps.config.whatsapp.simulatorPublic, ...(deps.config.phoneDefaultCountry ? { defaultCountry: deps.config.phoneDefaultCountry } : {}) };
  const customRoutes = [...healthRoutes(deps.health), ...simulatorRoutesFor(deps.gateway, simulator)];
  // A signed request is taken once (its verified signature is recorded), and a modal's submission
  // takes effect once (its view id is recorded); both across instances, in the store.
  const guards = { seen: deps.repos.seenRequests, clock: deps.clock, logger: deps.logger };
  const replays = createReplayGuard(guards);
  const views = createViewOnce(guards);
  const receiver = slack.appToken
    ? new SocketModeReceiver({
        appToken: slack.appToken,
        customRoutes,
        // SLACK_API_URL applies to the socket's apps.connections.open too. The retry budget stays the
        // client's own (many retries): once started, a reconnect must outlast a long outage.
        installerOptions: { port: deps.config.port, clientOptions: { ...apiUrl, timeout: LISTENER_CLIENT_DEFAULTS.timeout } },
        logger,
      })
    : new HTTPReceiver({
        signingSecret: slack.signingSecret,
        customRoutes,
        logger,
        unhandledRequestTimeoutMillis: 2500,
        customPropertiesExtractor: signatureStamp,
        processEventErrorHandler: answerReplays,
      });
  const link = receiver instanceof SocketModeReceiver ? watchSocket(receiver.client, deps.clock) : undefined;
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
      const starting = app.start(deps.config.port) as Promise<unknown>;
      // The Socket Mode client retries a socket that never opens for as long as it takes; at start-up
      // that is an operator watching a silent process, so it gets a deadline and one line instead.
      const started = link
        ? await withTimeout(starting, SOCKET_START_TIMEOUT_MS, () => socketStartError(link())).catch(async (err: unknown) => {
            await app.stop().catch(() => undefined);
            throw err;
          })
        : await starting;
      return { port: boundPort(started, receiver) ?? deps.config.port };
    },
    link,
    async stop() {
      await app.stop();
      // Answers owed when the app stops are given before the store closes.
      await app.idle();
    },
  };
}

function socketStartError(status: SlackLinkStatus): AppError {
  return new AppError(
    'SLACK_UNREACHABLE',
    `Slack's Socket Mode connection did not open within ${SOCKET_START_TIMEOUT_MS / 1000} s (SLACK_APP_TOKEN was accepted; ${status.reason ?? 'no hello from Slack'}): check that this host may open WebSocket (wss://) connections to Slack, through your proxy or firewall.`,
    { socket: status.state },
  );
}

function boundPort(started: unknown, receiver: HTTPReceiver | SocketModeReceiver): number | undefined {
  const server = (started as Server | undefined)?.address ? (started as Server) : (receiver as unknown as { httpServer?: Server }).httpServer;
  const address = server?.address();
  return address && typeof address === 'object' ? address.port : undefined;
}
