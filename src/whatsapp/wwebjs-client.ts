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
  /** Defaults to process.getuid() === 0: Chromium refuses to start as root with its sandbox on. */
  runningAsRoot?: boolean;
}

/** Chromium flags for containers: no sandbox when root, and /tmp instead of a tiny /dev/shm. */
export function chromiumArgs(runningAsRoot: boolean): string[] {
  return [...(runningAsRoot ? ['--no-sandbox', '--disable-setuid-sandbox'] : []), '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'];
}

/**
 * The real whatsapp-web.js client, built fresh for every (re)connect. The library (and puppeteer
 * behind it) is loaded on first use, so `WHATSAPP_GATEWAY=none` never pays for it.
 */
export function wwebjsClientFactory(options: WwebjsClientOptions): { createClient: () => WwebjsClient; toMedia: (media: OutboundMedia) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: the library pulls in puppeteer
  const load = () => require('whatsapp-web.js') as typeof import('whatsapp-web.js');
  const runningAsRoot = options.runningAsRoot ?? process.getuid?.() === 0;
  return {
    createClient() {
      const { Client, LocalAuth } = load();
      const clientOptions: ClientOptions = {
        authStrategy: new LocalAuth({ dataPath: options.dataPath }),
        puppeteer: { executablePath: options.chromiumPath, headless: true, args: chromiumArgs(runningAsRoot) },
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
      return Object.assign(client, {
        browserPid: () => pidOf(browser),
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
