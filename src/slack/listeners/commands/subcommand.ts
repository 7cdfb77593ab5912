import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';

/** What a `/wa` subcommand gets when it runs (after the command was acknowledged). */
export interface SubcommandContext {
  /** Whitespace-separated words after the subcommand name. */
  args: string[];
  /** Everything after the subcommand name, as typed. */
  rest: string;
  userId: string;
  teamId: string;
  channelId: string;
  triggerId: string;
  respond: RespondFn;
  client: webApi.WebClient;
  log: Logger;
}

/** One `/wa` subcommand: how it is typed, what it does, and whether only leads may use it. */
export interface Subcommand {
  name: string;
  /** e.g. `/wa label add <phone> <label…>` */
  usage: string;
  summary: string;
  /** Only team leads may run it (or, as a function, these arguments of it, e.g. `label create`). */
  leadOnly?: boolean | ((args: string[]) => boolean);
  run(ctx: SubcommandContext): Promise<void>;
}
