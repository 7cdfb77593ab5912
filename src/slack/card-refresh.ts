import type { webApi } from '@slack/bolt';
import type { Clock } from '../clock';
import type { Contact } from '../domain/contact';
import type { SettingsRepository } from '../store/repositories/settings-repository';
import { channelMode } from '../workflow/channel-mode';
import { contactCard } from './blocks/contact-card';

export interface Cards {
  /** The card for a conversation thread in `channel` (its wording follows the channel's mode). */
  render(contact: Contact, channel: string): Promise<{ text: string; blocks: object[] }>;
  /** Redraws the thread root in place (chat.update): the card is never posted twice. */
  refresh(client: webApi.WebClient, contact: Contact): Promise<void>;
}

export interface CardsDeps {
  settings: SettingsRepository;
  notePrefix: string;
  /** Given where the gateway enforces WhatsApp's 24-hour window (WHATSAPP_GATEWAY=cloud): the card shows it. */
  replyWindow?: { clock: Clock; timeZone: string };
}

export function createCards(deps: CardsDeps): Cards {
  return {
    async render(contact, channel) {
      const window = deps.replyWindow ? { now: deps.replyWindow.clock(), timeZone: deps.replyWindow.timeZone } : undefined;
      return contactCard(contact, deps.notePrefix, await channelMode(deps.settings, channel), window);
    },
    async refresh(client, contact) {
      if (!contact.slack) return;
      await client.chat.update({ channel: contact.slack.channel, ts: contact.slack.threadTs, ...(await this.render(contact, contact.slack.channel)) });
    },
  };
}
