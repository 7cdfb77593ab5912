import type { SettingsRepository } from '../store/repositories/settings-repository';

/**
 * How a channel's thread replies behave: `two-way` sends them to WhatsApp (the internal-note prefix
 * keeps one in Slack); `notes-only` keeps every reply in Slack, and the customer is answered only
 * through the card's Reply button — for teams that discuss more than they answer.
 */
export type ChannelMode = 'two-way' | 'notes-only';
export const CHANNEL_MODES: readonly ChannelMode[] = ['two-way', 'notes-only'];

const key = (channel: string) => `channel_mode:${channel}`;

export async function channelMode(settings: SettingsRepository, channel: string): Promise<ChannelMode> {
  return (await settings.get(key(channel))) === 'notes-only' ? 'notes-only' : 'two-way';
}

export async function setChannelMode(settings: SettingsRepository, channel: string, mode: ChannelMode): Promise<void> {
  await settings.set(key(channel), mode);
}
