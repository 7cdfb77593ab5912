import type { Clock } from '../../../src/clock';
import type { OutboundMedia, SendOptions, SentMessage, WhatsAppGateway } from '../../../src/whatsapp/gateway';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';

/** What the store said about a contact at a given moment. */
export type StatusAtSend = 'unknown' | 'pending' | 'opted_in' | 'opted_out' | 'no contact';

/** One message that reached WhatsApp, with the store's view of its contact right before it went. */
export interface ProbedSend {
  seq: number;
  id?: string;
  chatId: string;
  text: string;
  statusAtSend: StatusAtSend;
  /**
   * When the app passed a last-moment check (SendOptions.check): the store's view as that check
   * began. An opt-out stored after that is the window no check can close; one stored before is not.
   */
  statusAtCheck?: StatusAtSend;
}

/**
 * The fake WhatsApp, asking the store about the contact immediately before each message goes out
 * (it sits inside the send throttle, after any wait): the oracle for "nothing is sent after an
 * opt-out was stored". `seq` numbers sends among the run's other events.
 */
export class ProbedGateway extends FakeWhatsAppGateway {
  readonly probed: ProbedSend[] = [];

  constructor(
    clock: Clock,
    readonly statusOf: (chatId: string) => Promise<StatusAtSend>,
    private readonly nextSeq: () => number,
  ) {
    super(clock);
  }

  override async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<SentMessage> {
    return this.probe(chatId, text, () => super.sendText(chatId, text, options));
  }

  override async sendMedia(chatId: string, media: OutboundMedia, options: SendOptions = {}): Promise<SentMessage> {
    return this.probe(chatId, media.caption ?? '', () => super.sendMedia(chatId, media, options));
  }

  override async edit(messageId: string, text: string, options: SendOptions = {}): Promise<void> {
    const chatId = messageId.split('_')[1] ?? messageId;
    await this.probe(chatId, text, () => super.edit(messageId, text, options));
  }

  private async probe<T>(chatId: string, text: string, send: () => Promise<T>): Promise<T> {
    const statusAtSend = await this.statusOf(chatId);
    const result = await send();
    const id = (result as Partial<SentMessage> | undefined)?.id;
    this.probed.push({ seq: this.nextSeq(), chatId, text, statusAtSend, ...(id ? { id } : {}) });
    return result;
  }

  /**
   * The app's gateway chain, watched from outside (outermost, around the throttle): each send's
   * last-moment check, when the app passes one, is preceded by a look at the store, noted on the send.
   */
  watchChecks(chain: WhatsAppGateway): WhatsAppGateway {
    const watched = (chatId: string, options: SendOptions | undefined, noted: { status?: StatusAtSend }): SendOptions | undefined => {
      if (!options?.check) return options;
      const check = options.check;
      return {
        ...options,
        check: async () => {
          noted.status = await this.statusOf(chatId);
          await check();
        },
      };
    };
    const note = (sent: SentMessage, noted: { status?: StatusAtSend }) => {
      const record = this.probed.find((p) => p.id === sent.id);
      if (record && noted.status) record.statusAtCheck = noted.status;
      return sent;
    };
    return new Proxy({} as WhatsAppGateway, {
      get: (_, key) => {
        if (key === 'sendText') {
          return async (chatId: string, text: string, options?: SendOptions) => {
            const noted = {};
            return note(await chain.sendText(chatId, text, watched(chatId, options, noted)), noted);
          };
        }
        if (key === 'sendMedia') {
          return async (chatId: string, media: OutboundMedia, options?: SendOptions) => {
            const noted = {};
            return note(await chain.sendMedia(chatId, media, watched(chatId, options, noted)), noted);
          };
        }
        const value = Reflect.get(chain, key, chain) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(chain) : value;
      },
    });
  }
}
