import type { Client, ClientOptions, MessageMedia } from 'whatsapp-web.js';
import type { OutboundMedia } from './gateway';
import type { WwebjsClient } from './wwebjs-gateway';

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
      return Object.assign(client, {
        browserPid: () => client.pupBrowser?.process()?.pid,
      }) as unknown as WwebjsClient;
    },
    toMedia(media): MessageMedia {
      const { MessageMedia } = load();
      return new MessageMedia(media.mimetype, media.data.toString('base64'), media.filename ?? null, media.data.length);
    },
  };
}
