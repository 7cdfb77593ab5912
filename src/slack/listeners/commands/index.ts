import type { AppDeps } from '../../../app-deps';
import { broadcastSubcommand } from './broadcast';
import { broadcastsSubcommand } from './broadcasts';
import { consentSubcommand, contactSubcommand } from './contact';
import { forgetSubcommand } from './forget';
import { channelSubcommand } from './channel-mode';
import { helpSubcommand } from './help';
import { hoursSubcommand } from './hours';
import { inboxSubcommand } from './inbox';
import { hygieneSubcommand, registerHygieneSettingsModal } from './hygiene';
import { labelsSubcommand, labelSubcommand } from './labels';
import { optinSubcommand } from './optin';
import { quickRepliesSubcommand, registerQuickReplyModal } from './quick-replies';
import { segmentSubcommand } from './segment';
import { optoutSubcommand } from './optout';
import { statusSubcommand } from './status';
import type { Subcommand } from './subcommand';
import { registerWaCommand } from './wa-command';
import type { Listeners } from '../listener-table';

/** Registers every slash command. */
export function registerCommands(on: Listeners, deps: AppDeps): void {
  registerWaCommand(on, deps, waSubcommands(deps));
  registerQuickReplyModal(on, deps);
  registerHygieneSettingsModal(on, deps);
}

/** Every `/wa` subcommand, in the order help lists them. New subcommands are added to the list here. */
export function waSubcommands(deps: AppDeps): Subcommand[] {
  const subcommands: Subcommand[] = [];
  subcommands.push(
    helpSubcommand(() => subcommands),
    statusSubcommand(deps),
    hoursSubcommand(deps),
    contactSubcommand(deps),
    labelsSubcommand(deps),
    labelSubcommand(deps),
    optoutSubcommand(deps),
    optinSubcommand(deps),
    quickRepliesSubcommand(deps),
    segmentSubcommand(deps),
    broadcastSubcommand(deps),
    broadcastsSubcommand(deps),
    forgetSubcommand(deps),
    consentSubcommand(deps),
    hygieneSubcommand(deps),
    inboxSubcommand(deps),
    channelSubcommand(deps),
  );
  return subcommands;
}
