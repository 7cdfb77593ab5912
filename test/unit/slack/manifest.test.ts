import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { AppDeps } from '../../../src/app-deps';
import { registerListeners } from '../../../src/slack/listeners';
import { recordingApp } from '../../support/recording-app';
import { NON_METHOD_SCOPES, scopesFor } from '../../support/slack/method-scopes';
import { slackMethodsCalled, srcMatches } from '../../support/slack/src-slack-calls';

interface Manifest {
  display_information: { name: string };
  features: {
    bot_user: { display_name: string };
    slash_commands?: Array<{ command: string; usage_hint?: string }>;
    shortcuts?: Array<{ callback_id: string; type: string }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; socket_mode_enabled: boolean; interactivity: { is_enabled: boolean } };
}

const manifest = parse(readFileSync(path.join(__dirname, '../../../manifest.yml'), 'utf8')) as Manifest;

function registered() {
  return registerListeners(recordingApp().app, {} as AppDeps);
}

/** Bolt handles `message.channels` and `message.groups` with one `message` listener. */
const boltEventName = (manifestEvent: string) => manifestEvent.split('.')[0]!;

describe('manifest.yml', () => {
  it('when the code registers a slash command, then the manifest declares it, and the other way round', () => {
    const declared = (manifest.features.slash_commands ?? []).map((c) => c.command).sort();
    expect(declared).toEqual([...new Set(registered().commands)].sort());
  });

  it('when the code registers a shortcut, then the manifest declares its callback_id, and the other way round', () => {
    const declared = (manifest.features.shortcuts ?? []).map((s) => s.callback_id).sort();
    expect(declared).toEqual([...registered().shortcuts].sort());
  });

  it('when the code listens to an event, then the manifest subscribes to it, and the other way round', () => {
    const r = registered();
    const handled = new Set(r.events);
    const subscribed = new Set(manifest.settings.event_subscriptions.bot_events.map(boltEventName));
    expect([...subscribed].sort()).toEqual([...handled].sort());
  });

  it('when Slack validates it, then names fit Slack limits', () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.features.bot_user.display_name).toMatch(/^[a-z0-9._-]+$/);
    for (const c of manifest.features.slash_commands ?? []) expect(c.command.length).toBeLessThanOrEqual(32);
  });

  /** Whether the app still does what each non-method scope is for (method-scopes.ts says what that is). */
  const stillNeeded: Record<string, () => boolean> = {
    commands: () => (manifest.features.slash_commands ?? []).length > 0,
    'channels:history': () => manifest.settings.event_subscriptions.bot_events.includes('message.channels'),
    'groups:history': () => manifest.settings.event_subscriptions.bot_events.includes('message.groups'),
    'files:read': () => srcMatches(/\burl_private(_download)?\b/),
    'chat:write.customize': () => srcMatches(/\b(username|icon_emoji|icon_url)\s*:/),
  };

  it('when a scope is needed for something other than a Web API call, then the test knows how to tell whether it still is', () => {
    expect(Object.keys(stillNeeded).sort()).toEqual(Object.keys(NON_METHOD_SCOPES).sort());
  });

  it('when installed, then it asks for exactly the bot scopes the app needs (from the methods src/ calls and the scope table), with Socket Mode and interactivity on', () => {
    const needed = scopesFor(slackMethodsCalled());
    for (const [scope, needs] of Object.entries(stillNeeded)) if (needs()) needed.add(scope);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});
