import type { Server } from 'node:http';
import { type App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import type { AppDeps } from '../app-deps';
import { AppError } from '../errors';
import { boltLogger } from './bolt-logger';
import { healthRoutes } from './health-routes';
import { simulatorRoutesFor } from '../whatsapp/simulator/simulator-routes';
import { cloudWebhookRoutesFor } from '../whatsapp/cloud/webhook-routes';
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
  const simulator = {
    public: deps.config.whatsapp.simulatorPublic,
    onError: (err: unknown) => deps.logger.error({ err }, 'the simulator failed on a request'),
    ...(deps.config.phoneDefaultCountry ? { defaultCountry: deps.config.phoneDefaultCountry } : {}),
  };
  if (deps.config.whatsapp.gateway === 'simulator' && deps.config.whatsapp.simulatorPublic) {
    deps.logger.warn('SIMULATOR_PUBLIC=true: anyone who can reach this port can write to the team as any customer, STOP and YES included');
  }
  // The Cloud API's webhook (WHATSAPP_GATEWAY=cloud) too, in both receiver modes: Meta posts to it.
  const cloudWebhooks = { webhooks: deps.repos.cloudWebhooks, clock: deps.clock, logger: deps.logger, recorded: () => deps.bridge.recorded() };
  const customRoutes = [...healthRoutes(deps.health), ...simulatorRoutesFor(deps.gateway, simulator), ...cloudWebhookRoutesFor(deps.gateway, cloudWebhooks)];
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

  let server: Server | undefined;
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
      server = httpServerOf(started, receiver);
      const address = server?.address();
      return { port: (address && typeof address === 'object' ? address.port : undefined) ?? deps.config.port };
    },
    link,
    async stop() {
      // server.close() waits for every connection to end: a browser's keep-alive socket or an open
      // simulator event stream would hold it (and the shutdown) open. Idle ones go at once; any
      // still busy after a grace longer than Slack's 3 s ack are cut.
      server?.closeIdleConnections();
      const force = setTimeout(() => server?.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      await app.stop().finally(() => clearTimeout(force));
      // Answers owed when the app stops are given before the store closes.
      await app.idle();
    },
  };
}

/** How long a stop lets requests in flight finish before their connections are cut. */
const CLOSE_GRACE_MS = 4_000;

function socketStartError(status: SlackLinkStatus): AppError {
  return new AppError(
    'SLACK_UNREACHABLE',
    `Slack's Socket Mode connection did not open within ${SOCKET_START_TIMEOUT_MS / 1000} s (SLACK_APP_TOKEN was accepted; ${status.reason ?? 'no hello from Slack'}): check that this host may open WebSocket (wss://) connections to Slack, through your proxy or firewall.`,
    { socket: status.state },
  );
}

/** The HTTP server the app listens on: Bolt's receiver in HTTP mode, its health server in Socket Mode. */
function httpServerOf(started: unknown, receiver: HTTPReceiver | SocketModeReceiver): Server | undefined {
  return (started as Server | undefined)?.address ? (started as Server) : (receiver as unknown as { httpServer?: Server }).httpServer;
}
