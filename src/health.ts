import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock';
import type { SlackLinkState, SlackLinkStatus } from './slack/socket-link';
import type { ConnectionState, GatewayStatus, WhatsAppGateway } from './whatsapp/gateway';
import { processTreeRssBytes } from './whatsapp/process-rss';

/** The full report: for operators (`/readyz` with HEALTH_TOKEN, `/wa status`, App Home), never for anyone who asks. */
export interface ReadinessReport {
  /**
   * Ready means the store answers and, in Socket Mode, the socket is connected (without it Slack
   * delivers nothing). WhatsApp is reported but never fails readiness: Slack work goes on without it.
   */
  ready: boolean;
  store: { ok: boolean; error?: string };
  /** Socket Mode only: the WebSocket's state, and why it is down. */
  slack?: SlackLinkStatus;
  /** The gateway's state, plus the browser's resident memory (all its processes) once sampled while it runs. */
  whatsapp: GatewayStatus & { browserRssMb?: number };
  /** This Node process's resident memory, as last sampled. */
  appRssMb: number;
  /** When the memory figures were taken: they are sampled on a timer, never while answering. */
  memorySampledAt: Date;
}

/** What `/readyz` tells anyone: ready or not, and why, one word per part. */
export interface PublicReadiness {
  ready: boolean;
  store: 'ok' | 'down';
  whatsapp: ConnectionState;
  /** Socket Mode only. */
  slack?: SlackLinkState;
}

export interface Health {
  /** Pings the store and reads the last memory sample; never walks /proc itself. */
  readiness(): Promise<ReadinessReport>;
  /** Takes a memory sample now (the timer calls it; tests do); resolves once it is the last sample. */
  sampleMemory(): Promise<void>;
  /** Whether `token` is HEALTH_TOKEN (compared in constant time); false for every token when none is set. */
  allowsDetails(token: string): boolean;
  /** Stops the sampling timer. */
  stop(): void;
}

export interface HealthDeps {
  pingStore: () => Promise<void>;
  gateway: Pick<WhatsAppGateway, 'status' | 'browserPid'>;
  /** Socket Mode only: the WebSocket's status. Unset in HTTP mode, where Slack calls in. */
  slack?: () => SlackLinkStatus;
  clock: Clock;
  /** How often memory is sampled. */
  sampleEveryMs: number;
  /** HEALTH_TOKEN: the bearer that unlocks the full report. Without it the full report is never served over HTTP. */
  detailsToken?: string;
  /** Memory of a process tree in bytes (tests count the calls). Default: the /proc walk. */
  treeRss?: (pid: number) => Promise<number | undefined>;
  /** This process's resident memory in bytes. */
  appRss?: () => number;
  /** Calls `fn` every `ms` until the returned function is called (tests fire it by hand). */
  every?: (ms: number, fn: () => void) => () => void;
}

interface MemorySample {
  at: Date;
  appRss: number;
  /** Tied to the pid it was taken for: a figure from a browser that has since gone is not reported. */
  browser?: { pid: number; bytes: number };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const digest = (text: string) => createHash('sha256').update(text).digest();

/** An interval that never keeps the process alive on its own. */
function everyUnref(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Readiness and memory. Memory is sampled on a timer, starting now, because walking /proc on a
 * request blocked the event loop for tens of milliseconds per probe; a request reads the last sample.
 */
export function createHealth(deps: HealthDeps): Health {
  const treeRss = deps.treeRss ?? processTreeRssBytes;
  const appRss = deps.appRss ?? (() => process.memoryUsage.rss());
  // Hashing both sides gives equal lengths, so the comparison leaks neither content nor length.
  const expected = deps.detailsToken === undefined ? undefined : digest(deps.detailsToken);
  let last: MemorySample = { at: deps.clock(), appRss: appRss() };
  let taking: Promise<void> | undefined;

  const take = async () => {
    const pid = deps.gateway.browserPid();
    let bytes: number | undefined;
    try {
      bytes = pid === undefined ? undefined : await treeRss(pid);
    } catch {
      bytes = undefined; // a process that vanished mid-walk: no figure this time
    }
    last = { at: deps.clock(), appRss: appRss(), ...(pid !== undefined && bytes !== undefined ? { browser: { pid, bytes } } : {}) };
  };

  const sampleMemory = (): Promise<void> => {
    // One walk at a time: a caller arriving mid-walk waits for it, then takes its own (the browser may be new).
    const next = taking ? taking.then(take) : take();
    const mine: Promise<void> = next.finally(() => {
      if (taking === mine) taking = undefined;
    });
    taking = mine;
    return mine;
  };

  void sampleMemory();
  // A slow walk is not stacked on by the timer; it is simply skipped until the walk is done.
  const stopTimer = (deps.every ?? everyUnref)(deps.sampleEveryMs, () => void (taking ?? sampleMemory()));

  return {
    async readiness() {
      const pid = deps.gateway.browserPid();
      const browser = last.browser && last.browser.pid === pid ? { browserRssMb: mb(last.browser.bytes) } : {};
      const whatsapp = { ...deps.gateway.status(), ...browser };
      const memory = { appRssMb: mb(last.appRss), memorySampledAt: last.at };
      const slack = deps.slack ? { slack: deps.slack() } : {};
      const socketUp = slack.slack === undefined || slack.slack.state === 'connected';
      try {
        await deps.pingStore();
        return { ready: socketUp, store: { ok: true }, ...slack, whatsapp, ...memory };
      } catch (err) {
        return { ready: false, store: { ok: false, error: err instanceof Error ? err.message : String(err) }, ...slack, whatsapp, ...memory };
      }
    },
    sampleMemory,
    allowsDetails(token) {
      return expected !== undefined && timingSafeEqual(digest(token), expected);
    },
    stop: stopTimer,
  };
}

/** The public view of a report: no error messages, figures, details or versions. */
export function publicReadiness(report: ReadinessReport): PublicReadiness {
  return { ready: report.ready, store: report.store.ok ? 'ok' : 'down', whatsapp: report.whatsapp.state, ...(report.slack ? { slack: report.slack.state } : {}) };
}
