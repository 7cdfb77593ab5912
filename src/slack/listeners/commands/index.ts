import type { App } from '@slack/bolt';
import type { AppDeps } from '../../../app-deps';
import { helpSubcommand } from './help';
import { statusSubcommand } from './status';
import type { Subcommand } from './subcommand';
import { registerWaCommand } from './wa-command';

/** Registers every slash command. New `/wa` subcommands are added to the list here. */
export function registerCommands(app: App, deps: AppDeps): void {
  const subcommands: Subcommand[] = [];
  subcommands.push(helpSubcommand(() => subcommands), statusSubcommand(deps));
  registerWaCommand(app, deps, subcommands);
}
