import { existsSync, readdirSync } from 'node:fs';
import type { LeaseRepository } from '../../domain/lease';
import { AppError } from '../../errors';
import type { WhatsAppGateway } from '../gateway';

/** The lease the real gateway holds while it runs a WhatsApp Web session (leased-gateway.ts). */
const WHATSAPP_LEASE = 'whatsapp';

/** LocalAuth keeps its session in `session` (or `session-<clientId>`) under the data path. */
export function hasWhatsAppWebSession(dataPath: string): boolean {
  if (!existsSync(dataPath)) return false;
  return readdirSync(dataPath).some((name) => name === 'session' || name.startsWith('session-'));
}

export interface SessionGuardOptions {
  dataPath: string;
  leases: LeaseRepository;
  /** The simulator's own lease holder (the same one its LeasedGateway uses). */
  holder: string;
  ttlMs: number;
}

/**
 * The simulator beside a real WhatsApp session would mix played customers with real ones (the
 * same store, the same Slack threads), so its start is refused when a session exists on disk or
 * another instance holds the WhatsApp lease. It takes that lease itself, so a real gateway
 * started against the same store waits in standby instead of running beside it.
 */
export function refuseBesideRealSession(inner: WhatsAppGateway, options: SessionGuardOptions): WhatsAppGateway {
  // Spelled out: the inner gateway is a class instance, whose methods a spread would not copy.
  return {
    stop: () => inner.stop(),
    status: () => inner.status(),
    on: (listener) => inner.on(listener),
    sendText: (chatId, text, o) => inner.sendText(chatId, text, o),
    sendMedia: (chatId, media, o) => inner.sendMedia(chatId, media, o),
    react: (messageId, emoji) => inner.react(messageId, emoji),
    edit: (messageId, text, o) => inner.edit(messageId, text, o),
    revoke: (messageId) => inner.revoke(messageId),
    markRead: (chatId) => inner.markRead(chatId),
    recentOwnMessages: (chatId, limit) => inner.recentOwnMessages(chatId, limit),
    messagesSince: (since, perChat) => inner.messagesSince(since, perChat),
    browserPid: () => inner.browserPid(),
    start: async () => {
      if (hasWhatsAppWebSession(options.dataPath)) {
        throw new AppError(
          'SIMULATOR_REFUSED',
          `WHATSAPP_GATEWAY=simulator refused: a WhatsApp Web session exists in ${options.dataPath} (WHATSAPP_DATA_PATH); use another DATA_DIR or WHATSAPP_DATA_PATH for trials.`,
        );
      }
      const held = await options.leases.acquire(WHATSAPP_LEASE, options.holder, options.ttlMs);
      if (!held) {
        throw new AppError(
          'SIMULATOR_REFUSED',
          'WHATSAPP_GATEWAY=simulator refused: another instance holds the WhatsApp session on this database; stop it, or use another database for trials.',
        );
      }
      await inner.start();
    },
  };
}
