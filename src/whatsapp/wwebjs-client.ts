import type { EventEmitter } from 'node:events';
import type { Client, ClientOptions, Message, MessageMedia } from 'whatsapp-web.js';
import type { OutboundMedia } from './gateway';
import type { WwebjsChat } from './wwebjs-history';

/** The part of whatsapp-web.js's Client the gateway uses; tests give it a fake. */
export interface WwebjsClient extends EventEmitter {
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<Message>;
  getMessageById(messageId: string): Promise<Message | null | undefined>;
  getChatById(chatId: string): Promise<WwebjsChat>;
  getChats(): Promise<WwebjsChat[]>;
  sendSeen(chatId: string): Promise<boolean>;
  /** Each user's `@lid` and phone (`@c.us`) ids, as far as WhatsApp Web knows them. */
  getContactLidAndPhone(userIds: string[]): Promise<Array<{ lid?: string; pn?: string }>>;
  /** WhatsApp Web's own connection state (`CONNECTED`, `CONFLICT`, `UNPAIRED`, …); throws when the page is gone. */
  getState(): Promise<string | null>;
  /** The browser's process id while one runs (for its RSS in /readyz). */
  browserPid(): number | undefined;
}

export interface WwebjsClientOptions {
  /** LocalAuth keeps the WhatsApp Web session here; a volume in production, so a restart needs no new QR. */
  dataPath: string;
  chromiumPath: string;
  /** WHATSAPP_NO_SANDBOX: Chromium without its sandbox, only when the configuration asks for it. */
  noSandbox: boolean;
  /** Defaults to process.getuid() === 0: Chromium refuses to start as root with its sandbox on. */
  runningAsRoot?: boolean;
}

/**
 * Chromium flags for containers: the sandbox stays on unless the configuration turns it off (the
 * browser renders strangers' messages and media), and /tmp instead of a tiny /dev/shm.
 */
export function chromiumArgs(options: { noSandbox: boolean }): string[] {
  return [...(options.noSandbox ? ['--no-sandbox', '--disable-setuid-sandbox'] : []), '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'];
}

const NO_SANDBOX =
  'WHATSAPP_NO_SANDBOX=true: Chromium runs without its sandbox while rendering content from strangers (WhatsApp messages, media, link previews), ' +
  "so a browser exploit would get the app's own rights: its Slack token, database and WhatsApp session. " +
  'To keep the sandbox on, run the app as a non-root user and remove WHATSAPP_NO_SANDBOX (docs/whatsapp.md).';
const ROOT_WITH_SANDBOX =
  'Chromium will not start as root with its sandbox on, so WhatsApp cannot connect. ' +
  'Run the app as a non-root user (recommended: the sandbox stays on), or set WHATSAPP_NO_SANDBOX=true to run Chromium without its sandbox (docs/whatsapp.md).';
const NO_USABLE_SANDBOX =
  'Chromium could not set up its sandbox on this host (it needs unprivileged user namespaces, which this container or kernel does not allow), ' +
  'so WhatsApp cannot connect. Allow them (docs/whatsapp.md), or set WHATSAPP_NO_SANDBOX=true to run Chromium without its sandbox.';

/** What the operator must hear at start about Chromium's sandbox, if anything. */
export function sandboxNotice(options: { noSandbox: boolean; runningAsRoot: boolean }): { level: 'warn' | 'error'; message: string } | undefined {
  if (options.noSandbox) return { level: 'warn', message: NO_SANDBOX };
  if (options.runningAsRoot) return { level: 'error', message: ROOT_WITH_SANDBOX };
  return undefined;
}

/** Chromium cannot start because of how its sandbox is set up: the setup is at fault, and the message says how to fix it. */
export class ChromiumSandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumSandboxError';
    // Not a bug in the code: a stack trace would only bury the fix in the log.
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Chromium's own words for a sandbox it cannot have (it gives no code), replaced by what to do.
 * "Running as root…" also covers a root that `runningAsRoot` did not see (a user namespace).
 */
function explainLaunchFailure(err: unknown): unknown {
  const text = err instanceof Error ? err.message : String(err);
  if (text.includes('No usable sandbox')) return new ChromiumSandboxError(NO_USABLE_SANDBOX);
  if (text.includes('Running as root without --no-sandbox')) return new ChromiumSandboxError(ROOT_WITH_SANDBOX);
  return err;
}

/**
 * The real whatsapp-web.js client, built fresh for every (re)connect. The library (and puppeteer
 * behind it) is loaded on first use, so `WHATSAPP_GATEWAY=none` never pays for it.
 */
export function wwebjsClientFactory(options: WwebjsClientOptions): { createClient: () => WwebjsClient; toMedia: (media: OutboundMedia) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: the library pulls in puppeteer
  const load = () => require('whatsapp-web.js') as typeof import('whatsapp-web.js');
  const runningAsRoot = options.runningAsRoot ?? process.getuid?.() === 0;
  // Chromium would refuse anyway (after a launch, with a log dump): say why without launching it.
  const refusal = runningAsRoot && !options.noSandbox ? ROOT_WITH_SANDBOX : undefined;
  return {
    createClient() {
      const { Client, LocalAuth } = load();
      const clientOptions: ClientOptions = {
        authStrategy: new LocalAuth({ dataPath: options.dataPath }),
        puppeteer: { executablePath: options.chromiumPath, headless: true, args: chromiumArgs(options) },
      };
      const client: Client = new Client(clientOptions);
      const pidOf = (browser: Client['pupBrowser'] | undefined) => browser?.process()?.pid;
      // The library sets `pupBrowser` only once the page is set up, so a destroy() during start-up
      // finds no browser to close. Remember the destroy, and end the browser the moment it appears.
      let destroyed = false;
      let browser: Client['pupBrowser'] | undefined;
      Object.defineProperty(client, 'pupBrowser', {
        configurable: true,
        get: () => browser,
        set: (value: Client['pupBrowser']) => {
          browser = value;
          const pid = pidOf(value);
          if (destroyed && pid !== undefined) killProcessGroup(pid);
        },
      });
      const destroy = client.destroy.bind(client);
      const initialize = client.initialize.bind(client);
      return Object.assign(client, {
        browserPid: () => pidOf(browser),
        async initialize() {
          if (refusal) throw new ChromiumSandboxError(refusal);
          await initialize().catch((err: unknown) => {
            throw explainLaunchFailure(err);
          });
        },
        async destroy() {
          destroyed = true;
          const pid = pidOf(browser);
          try {
            await destroy();
          } finally {
            if (pid !== undefined) await endProcessGroup(pid);
          }
        },
      }) as unknown as WwebjsClient;
    },
    toMedia(media): MessageMedia {
      const { MessageMedia } = load();
      return new MessageMedia(media.mimetype, media.data.toString('base64'), media.filename ?? null, media.data.length);
    },
  };
}

/**
 * Puppeteer starts Chromium as the leader of its own process group. `browser.close()` returns when
 * the main process exits, but a zygote or renderer can outlive it for a moment, reparented to init;
 * ending the whole group leaves nothing behind. Also used on a browser that must not live at all.
 */
function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone — the usual case.
  }
}

/** Kills the group and waits (up to 2 s) until none of it is left, so a stopped gateway means no browser. */
async function endProcessGroup(pid: number): Promise<void> {
  killProcessGroup(pid);
  for (let i = 0; i < 100 && groupExists(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
