import type { AppDeps } from '../../../src/app-deps';
import { registerListeners } from '../../../src/slack/listeners';
import { createListenerTable } from '../../../src/slack/listeners/listener-table';
import { recordingApp } from '../../support/recording-app';

describe('listener table', () => {
  it('when every listener is registered, then Bolt gets one listener per kind (and one per event type)', () => {
    const { app, mounted } = recordingApp();
    const registered = registerListeners(app, {} as AppDeps);
    expect(registered.actions.length).toBeGreaterThan(10);
    expect(mounted.map((m) => m.kind).sort()).toEqual(['action', 'command', 'event', 'event', 'shortcut', 'view']);
  });

  it('when an action comes in, then only the listener for its action_id (and block_id, when given) runs', async () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable();
    const ran: string[] = [];
    table.listeners.action('claim', async () => void ran.push('claim'));
    table.listeners.action({ block_id: 'body', action_id: 'value' }, async () => void ran.push('body/value'));
    table.listeners.action({ block_id: 'note', action_id: 'value' }, async () => void ran.push('note/value'));
    table.mount(app);
    const [action] = mounted;
    const pattern = action!.constraint as RegExp;
    expect(['claim', 'value'].every((id) => pattern.test(id))).toBe(true);
    // Other ids stay unmatched in Bolt, which handles them as it would without the table.
    expect(['claimed', 'x.claim', 'resolve', ''].some((id) => pattern.test(id))).toBe(false);

    await action!.listener({ action: { action_id: 'value', block_id: 'note' } });
    await action!.listener({ action: { action_id: 'value', block_id: 'elsewhere' } });
    await action!.listener({ action: { action_id: 'claim', block_id: 'card' } });
    expect(ran).toEqual(['note/value', 'claim']);
  });

  it('when an id is registered twice, then registering fails at start rather than running both', () => {
    const { listeners } = createListenerTable();
    listeners.view('snooze', async () => {});
    expect(() => listeners.view('snooze', async () => {})).toThrow('Two view listeners for "snooze"');
    listeners.action('value', async () => {});
    expect(() => listeners.action({ block_id: 'body', action_id: 'value' }, async () => {})).toThrow('Two action listeners for "value"');
  });

  it('when a listener is registered after the table was mounted, then registering fails rather than never being reached', () => {
    const table = createListenerTable();
    table.listeners.action('claim', async () => {});
    table.mount(recordingApp().app);
    expect(() => table.listeners.action('resolve', async () => {})).toThrow(expect.objectContaining({ code: 'LISTENER_CONFLICT' }));
  });

  it('when ids hold pattern characters, then they match only themselves', () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable();
    table.listeners.shortcut('qr.send(1)', async () => {});
    table.mount(app);
    const pattern = mounted[0]!.constraint as RegExp;
    expect(pattern.test('qr.send(1)')).toBe(true);
    expect(pattern.test('qrXsend1')).toBe(false);
  });

  it('when one of two listeners for an event fails, then the other still runs and the failure is reported', async () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable();
    const ran: string[] = [];
    table.listeners.message(async () => {
      throw new Error('first broke');
    });
    table.listeners.message(async () => void ran.push('second'));
    table.mount(app);
    await expect(mounted[0]!.listener({ event: { type: 'message' } })).rejects.toThrow('first broke');
    expect(ran).toEqual(['second']);
  });
});
