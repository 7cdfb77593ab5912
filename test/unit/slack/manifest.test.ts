import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { AppDeps } from '../../../src/app-deps';
import { registerListeners } from '../../../src/slack/listeners';
import { recordingApp } from '../../support/recording-app';

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

  it('when installed, then it asks for exactly the bot scopes the app needs, with Socket Mode and interactivity on', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'chat:write', 'chat:write.customize', 'channels:history', 'groups:history', 'channels:read', 'groups:read',
        // conversations.join (routing to a public channel, the report's channel) and conversations.open (CSV sent as a DM).
        'channels:join', 'im:write',
        'commands', 'files:read', 'files:write', 'reactions:read', 'reactions:write', 'users:read', 'usergroups:read',
      ].sort(),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });
});
