import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { LeaseRepository } from '../domain/lease';
import type { Logger } from '../logger';
import { CloudGateway } from './cloud/cloud-gateway';
import { registerCloud } from './cloud/cloud-registry';
import { AppError } from '../errors';
import type { WhatsAppGateway } from './gateway';
import { LeasedGateway } from './leased-gateway';
import { createNullGateway } from './null-gateway';
import { SendThrottle, withSendThrottle } from './send-throttle';
import { refuseBesideRealSession } from './simulator/session-guard';
import { SimulatorGateway } from './simulator/simulator-gateway';
import { registerSimulator } from './simulator/simulator-registry';
import { sandboxNotice, wwebjsClientFactory } from './wwebjs-client';
import type { WwebjsClient } from './wwebjs-client';
import { WwebjsGateway } from './wwebjs-gateway';

export interface GatewayDeps {
  config: Config['whatsapp'];
  clock: Clock;
  logger: Logger;
  leases: LeaseRepository;
  /** Tests script the browser side; everything above it is the production chain. */
  createClient?: () => WwebjsClient;
  /** Tests say whether the process runs as root; by default process.getuid() === 0. */
  runningAsRoot?: boolean;
}

/** A new client must show a QR or log in within this time; WhatsApp Web loads in seconds when reachable. */
const START_TIMEOUT_MS = 60_000;
/** How often a connected client is asked for WhatsApp Web's own state. */
const STATE_POLL_MS = 30_000;
/** Reconnect backoff: 2 s doubling to 5 min, plus jitter. */
const BACKOFF = { baseMs: 2_000, maxMs: 300_000 };

/**
 * The production gateway, outermost first: the send throttle (no caller can bypass the anti-ban
 * pacing), the lease (only one instance runs the session; the fencing token is checked right before
 * each send, after any throttle wait), then the whatsapp-web.js client kept alive.
 */
export function createGateway(deps: GatewayDeps): WhatsAppGateway {
  const { config, clock, logger } = deps;
  if (config.gateway === 'none') return createNullGateway(clock);
  if (config.gateway === 'simulator') return createSimulatorGateway(deps);
  if (config.gateway === 'cloud') return createCloudGateway(deps);
  const runningAsRoot = deps.runningAsRoot ?? process.getuid?.() === 0;
  const real = wwebjsClientFactory({ dataPath: config.dataPath, chromiumPath: config.chromiumPath, noSandbox: config.noSandbox, runningAsRoot });
  const log = logger.child({ component: 'whatsapp' });
  // Said once, at start, where the operator looks; a scripted browser (tests) launches no Chromium.
  const notice = deps.createClient ? undefined : sandboxNotice({ noSandbox: config.noSandbox, runningAsRoot });
  if (notice) log[notice.level](notice.message);
  const inner = new WwebjsGateway({
    createClient: deps.createClient ?? real.createClient,
    toMedia: real.toMedia,
    clock,
    logger: log,
    allowGroups: config.allowGroups,
    readyTimeoutMs: config.readyTimeoutMs,
    startTimeoutMs: START_TIMEOUT_MS,
    statePollMs: STATE_POLL_MS,
    backoff: BACKOFF,
  });
  const leased = new LeasedGateway({
    inner,
    leases: deps.leases,
    holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    ttlMs: config.leaseTtlMs,
    clock,
    logger: logger.child({ component: 'whatsapp-lease' }),
  });
  return withSendThrottle(leased, new SendThrottle({ ...config.throttle, clock }));
}

/**
 * `WHATSAPP_GATEWAY=simulator`: the same chain as a phone's — send throttle, lease — over the
 * simulator page instead of WhatsApp Web, so consent, pacing and fencing behave as in production.
 * Refused beside a real session (session-guard.ts).
 */
function createSimulatorGateway(deps: GatewayDeps): WhatsAppGateway {
  const { config, clock, logger } = deps;
  const simulator = new SimulatorGateway(clock);
  const holder = `simulator:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leased = new LeasedGateway({ inner: simulator, leases: deps.leases, holder, ttlMs: config.leaseTtlMs, clock, logger: logger.child({ component: 'whatsapp-lease' }) });
  const guarded = refuseBesideRealSession(leased, { dataPath: config.dataPath, leases: deps.leases, holder, ttlMs: config.leaseTtlMs });
  return registerSimulator(withSendThrottle(guarded, new SendThrottle({ ...config.throttle, clock })), simulator);
}

/**
 * `WHATSAPP_GATEWAY=cloud`: the Cloud API gateway alone — no lease and no send throttle.
 *
 * No lease: there is no session to fence. Every instance may take webhooks (each is stored once
 * by its hash, and a message once by its wamid), and the outbound dispatcher's claims, with their
 * tokens checked in the send slot, already let exactly one instance send a given reply. No
 * SendThrottle: that is anti-ban pacing for WhatsApp Web; Meta sets a throughput instead, which the
 * gateway keeps itself (WHATSAPP_CLOUD_SEND_PER_SEC, per instance: with several instances, divide
 * it among them).
 */
function createCloudGateway(deps: GatewayDeps): WhatsAppGateway {
  const { config, clock, logger } = deps;
  // config.ts lists the missing keys at start; this only guards a hand-built config.
  if (!config.cloud) throw new AppError('CONFIG_INVALID', 'WHATSAPP_GATEWAY=cloud needs the WHATSAPP_CLOUD_* settings (docs/whatsapp.md)');
  const cloud = new CloudGateway({ config: config.cloud, clock, logger: logger.child({ component: 'whatsapp-cloud' }), backoff: BACKOFF });
  return registerCloud(cloud, cloud);
}
