import type { AppDeps } from '../../../app-deps';
import { AppError } from '../../../errors';
import { CHANNEL_MODES, channelMode, setChannelMode, type ChannelMode } from '../../../workflow/channel-mode';
import { channelArg } from '../../channel-arg';
import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';

/**
 * `/wa channel mode [two-way|notes-only] [#channel]`: whether thread replies in a channel go to
 * WhatsApp. Anyone may ask; leads change it.
 */
export function channelSubcommand(deps: Pick<AppDeps, 'repos' | 'clock'>): Subcommand {
  return {
    name: 'channel',
    usage: '/wa channel mode [two-way|notes-only] [#channel]',
    summary: "this channel's reply mode; leads set it (notes-only: replies stay in Slack)",
    leadOnly: (args) => args[0]?.toLowerCase() === 'mode' && CHANNEL_MODES.includes((args[1]?.toLowerCase() ?? '') as ChannelMode),
    async run({ args, respond, userId, channelId }) {
      if (args[0]?.toLowerCase() !== 'mode') throw new AppError('BAD_ARGUMENTS', 'Say `mode`.');
      const wanted = args[1]?.toLowerCase();
      const setting = wanted !== undefined && CHANNEL_MODES.includes(wanted as ChannelMode);
      const target = args[setting ? 2 : 1] === undefined ? channelId : channelArg(args[setting ? 2 : 1]);
      if (!target) throw new AppError('BAD_ARGUMENTS', `\`${escapeMrkdwn((args[setting ? 2 : 1] ?? '').slice(0, 40))}\` is neither a mode (\`two-way\`, \`notes-only\`) nor a channel.`);
      if (!setting) {
        const mode = await channelMode(deps.repos.settings, target);
        return void (await respond({ response_type: 'ephemeral', text: `<#${target}> is *${mode}*: ${describe(mode)}` }));
      }
      await setChannelMode(deps.repos.settings, target, wanted as ChannelMode);
      await deps.repos.audit.record({ actor: userId, action: 'channel_mode', args: { channel: target, mode: wanted }, outcome: 'ok', at: deps.clock() });
      await respond({ response_type: 'ephemeral', text: `<#${target}> is now *${wanted}*: ${describe(wanted as ChannelMode)} Cards show it as they next change.` });
    },
  };
}

function describe(mode: ChannelMode): string {
  return mode === 'notes-only'
    ? 'replies in its threads stay in Slack; the card’s *Reply* button answers the customer.'
    : 'replies in its threads go to WhatsApp (start one with the note prefix to keep it in Slack).';
}
