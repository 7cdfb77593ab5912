import { escapeMrkdwn } from '../../mrkdwn';
import type { Subcommand } from './subcommand';

/** The answer to `/wa help` (and to an unknown subcommand): every subcommand with its usage. */
export function helpText(subcommands: readonly Subcommand[]): string {
  const lines = subcommands.map((s) => `• \`${escapeMrkdwn(s.usage)}\` — ${s.summary}${s.leadOnly === true ? ' _(leads)_' : ''}`);
  return ['*Switchboard* — WhatsApp conversations in Slack. Commands:', ...lines].join('\n');
}

export function helpSubcommand(all: () => readonly Subcommand[]): Subcommand {
  return {
    name: 'help',
    usage: '/wa help',
    summary: 'this list',
    async run({ respond }) {
      await respond({ response_type: 'ephemeral', text: helpText(all()) });
    },
  };
}
