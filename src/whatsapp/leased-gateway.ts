import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Lease, LeaseRepository } from '../domain/lease';
import { GatewaySendError, type GatewayEvent, type GatewayStatus, type MissedMessages, type OutboundMedia, type SendOptions, type SentMessage, type WhatsAppGateway } from './gateway';

export interface LeasedGatewayOptions {
  inner: WhatsAppGateway;
  leases: LeaseRepository;
  /** This instance's identity in the lease (host + pid + random, set by the composition root). */
  holder: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  leaseName?: string;
}

/**
 * One WhatsApp session across instances: only the instance holding the `whatsapp` lease runs the
 * client. The holder renews every third of the TTL; a standby tries to take over on the same
 * rhythm, so it takes over within one TTL of the holder dying. Every send first checks the fencing
 * token, so an instance that lost the lease (paused, partitioned) can never send.
 */
export class LeasedGateway implements WhatsAppGateway {
  private lease: Lease | null = null;
  private standbySince: Date;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(event: GatewayEvent) => void>();
  private readonly name: string;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeasedGatewayOptions) {
    this.name = options.leaseName ?? 'whatsapp';
    this.standbySince = options.clock();
    options.inner.on((event) => this.emit(event));
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(1000, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    if (this.lease) {
      await this.options.inner.stop();
      await this.options.leases.release(this.name, this.options.holder);
      this.lease = null;
    }
  }

  /** Acquires or renews the lease, starting or stopping the client as the outcome changes. Serialised. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.renew()).catch((err: unknown) => {
      this.options.logger.error({ err }, 'WhatsApp lease check failed');
    });
    return this.ticking;
  }

  private async renew(): Promise<void> {
    const held = await this.options.leases.acquire(this.name, this.options.holder, this.options.ttlMs);
    if (held && !this.lease) {
      this.lease = held;
      this.options.logger.info({ token: held.token }, 'holding the WhatsApp lease; starting the client');
      await this.options.inner.start();
    } else if (!held && this.lease) {
      this.lease = null;
      this.standbySince = this.options.clock();
      this.options.logger.warn('lost the WhatsApp lease; stopping the client');
      await this.options.inner.stop();
      this.emit({ type: 'state', status: this.status() });
    } else if (held) {
      this.lease = held;
    }
  }

  status(): GatewayStatus {
    if (this.lease) return this.options.inner.status();
    return { state: 'standby', since: this.standbySince, detail: 'another instance holds the WhatsApp session' };
  }

  on(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: GatewayEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** The fencing check: the lease must still be ours, with our token, unexpired — asked of the store. */
  private async fenced<T>(send: () => Promise<T>): Promise<T> {
    const lease = this.lease;
    if (!lease || !(await this.options.leases.isCurrent(this.name, this.options.holder, lease.token))) {
      throw new GatewaySendError('not_connected', 'this instance does not hold the WhatsApp session lease');
    }
    return send();
  }

  sendText(chatId: string, text: string, options?: SendOptions): Promise<SentMessage> {
    return this.fenced(() => this.options.inner.sendText(chatId, text, options));
  }
  sendMedia(chatId: string, media: OutboundMedia, options?: SendOptions): Promise<SentMessage> {
    return this.fenced(() => this.options.inner.sendMedia(chatId, media, options));
  }
  react(messageId: string, emoji: string): Promise<void> {
    return this.fenced(() => this.options.inner.react(messageId, emoji));
  }
  edit(messageId: string, text: string, options?: SendOptions): Promise<void> {
    return this.fenced(() => this.options.inner.edit(messageId, text, options));
  }
  revoke(messageId: string): Promise<void> {
    return this.fenced(() => this.options.inner.revoke(messageId));
  }
  markRead(chatId: string): Promise<void> {
    return this.fenced(() => this.options.inner.markRead(chatId));
  }
  recentOwnMessages(chatId: string, limit: number): Promise<Array<{ id: string; text: string; at: Date }>> {
    return this.fenced(() => this.options.inner.recentOwnMessages(chatId, limit));
  }

  messagesSince(since: Date, perChat: number): Promise<MissedMessages> {
    return this.fenced(() => this.options.inner.messagesSince(since, perChat));
  }

  browserPid(): number | undefined {
    return this.lease ? this.options.inner.browserPid() : undefined;
  }
}
