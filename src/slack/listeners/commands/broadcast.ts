import { openBroadcastCompose } from '../actions/broadcast-compose';
import type { Subcommand } from './subcommand';

/** `/wa broadcast`: opens the form (leads only); nothing is sent before its preview is confirmed. */
export function broadcastSubcommand(deps: Parameters<typeof openBroadcastCompose>[0]): Subcommand {
  return {
    name: 'broadcast',
    usage: '/wa broadcast',
    summary: 'leads: compose a broadcast to opted-in contacts, with a preview of who gets it',
    leadOnly: true,
    async run({ client, triggerId }) {
      await openBroadcastCompose(deps, client, triggerId);
    },
  };
}
