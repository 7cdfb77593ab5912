import type { AppDeps } from '../../../src/app-deps';
import { registerListeners } from '../../../src/slack/listeners';
import { createListenerTable } from '../../../src/slack/listeners/listener-table';
import type { AccessPolicy, Role } from '../../../src/slack/roles';
import { recordingApp } from '../../support/recording-app';

const everyone: AccessPolicy = { allows: async () => true, refused: async () => {} };

describe('listener table', () => {
  it('when every listener is registered, then Bolt gets one listener per kind (and one per event type)', () => {
    const { app, mounted } = recordingApp();
    const registered = registerListeners(app, {} as AppDeps);
    expect(registered.actions.length).toBeGreaterThan(10);
    expect(mounted.map((m) => m.kind).sort()).toEqual(['action', 'command', 'event', 'event', 'shortcut', 'view']);
  });

  it('when an action comes in, then only the listener for its action_id (and block_id, when given) runs', async () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable(everyone);
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

    await action!.listener({ action: { action_id: 'value', block_id: 'note' }, body: { user: { id: 'U1' } } });
    await action!.listener({ action: { action_id: 'value', block_id: 'elsewhere' }, body: { user: { id: 'U1' } } });
    await action!.listener({ action: { action_id: 'claim', block_id: 'card' }, body: { user: { id: 'U1' } } });
    expect(ran).toEqual(['note/value', 'claim']);
  });

  it('when an id is registered twice, then registering fails at start rather than running both', () => {
    const { listeners } = createListenerTable(everyone);
    listeners.view('snooze', async () => {});
    expect(() => listeners.view('snooze', async () => {})).toThrow('Two view listeners for "snooze"');
    listeners.action('value', async () => {});
    expect(() => listeners.action({ block_id: 'body', action_id: 'value' }, async () => {})).toThrow('Two action listeners for "value"');
  });

  it('when a listener is registered after the table was mounted, then registering fails rather than never being reached', () => {
    const table = createListenerTable(everyone);
    table.listeners.action('claim', async () => {});
    table.mount(recordingApp().app);
    expect(() => table.listeners.action('resolve', async () => {})).toThrow(expect.objectContaining({ code: 'LISTENER_CONFLICT' }));
  });

  it('when ids hold pattern characters, then they match only themselves', () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable(everyone);
    table.listeners.shortcut('qr.send(1)', async () => {});
    table.mount(app);
    const pattern = mounted[0]!.constraint as RegExp;
    expect(pattern.test('qr.send(1)')).toBe(true);
    expect(pattern.test('qrXsend1')).toBe(false);
  });

  it('when one of two listeners for an event fails, then the other still runs and the failure is reported', async () => {
    const { app, mounted } = recordingApp();
    const table = createListenerTable(everyone);
    const ran: string[] = [];
    const anyone = { role: 'agent', action: 'm', actor: () => undefined, refuse: async () => null } as const;
    table.listeners.message(async () => {
      throw new Error('first broke');
    }, anyone);
    table.listeners.message(async () => void ran.push('second'), anyone);
    table.mount(app);
    await expect(mounted[0]!.listener({ event: { type: 'message' } })).rejects.toThrow('first broke');
    expect(ran).toEqual(['second']);
  });
});

/** A policy where only `U0LEAD` is a lead and `U0AGENT` an agent; it keeps what was refused. */
function policy() {
  const refused: Array<{ actor: string; action: string; role: Role; args?: Record<string, unknown> }> = [];
  const roles: Record<string, Role> = { U0LEAD: 'lead', U0AGENT: 'agent' };
  const allows: AccessPolicy['allows'] = async (_client, user, role) => roles[user] === 'lead' || (roles[user] === 'agent' && role === 'agent');
  return { refused, policy: { allows, refused: async (entry) => void refused.push(entry) } satisfies AccessPolicy };
}

/** A Web API client that records what was called. */
function client() {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const call = (name: string) => async (args: Record<string, unknown>) => void calls.push([name, args]);
  return { calls, chat: { postEphemeral: call('chat.postEphemeral') }, views: { open: call('views.open'), push: call('views.push') } };
}

describe('listener table: who may', () => {
  function table() {
    const { refused, policy: p } = policy();
    const { app, mounted } = recordingApp();
    const t = createListenerTable(p);
    const ran: string[] = [];
    t.listeners.command('/wa', async () => void ran.push('/wa'));
    t.listeners.action('claim', async () => void ran.push('claim'));
    t.listeners.action('archive', async () => void ran.push('archive'), { role: 'lead', action: 'hygiene_archive', what: 'archive contacts' });
    t.listeners.shortcut('forget', async () => void ran.push('forget'), { role: 'lead', audit: () => ({ contact: 'ps_1' }) });
    t.listeners.view('qr', async () => void ran.push('qr'), { role: 'lead' });
    t.listeners.view('confirm', async () => void ran.push('confirm'), { role: 'lead' });
    const mountedAs = (kind: string) => mounted.find((m) => m.kind === kind)!.listener;
    return { t, app, ran, refused, run: (kind: string, args: object) => mountedAs(kind)(args), mount: () => t.mount(app) };
  }
  const acks = () => {
    const acked: unknown[] = [];
    return { acked, ack: async (answer?: unknown) => void acked.push(answer) };
  };

  it('when a registration says no role, then it is for agents; the table lists every registration with its role', () => {
    const { t } = table();
    expect(t.registered().access).toEqual([
      { kind: 'command', id: '/wa', role: 'agent' },
      { kind: 'action', id: 'claim', role: 'agent' },
      { kind: 'action', id: 'archive', role: 'lead' },
      { kind: 'shortcut', id: 'forget', role: 'lead' },
      { kind: 'view', id: 'qr', role: 'lead' },
      { kind: 'view', id: 'confirm', role: 'lead' },
    ]);
  });

  it('when someone without the role uses a command, then the listener does not run; they get an ephemeral answer and the refusal is recorded', async () => {
    const { ran, refused, run, mount } = table();
    mount();
    const answers: object[] = [];
    const { acked, ack } = acks();
    await run('command', { ack, respond: async (m: object) => void answers.push(m), client: client(), body: { user_id: 'U0STRANGER' }, command: { user_id: 'U0STRANGER' } });
    expect(ran).toEqual([]);
    expect(acked).toEqual([undefined]);
    expect(answers).toEqual([{ response_type: 'ephemeral', text: expect.stringMatching(/^:lock: Switchboard is for the support team/) }]);
    expect(refused).toEqual([{ actor: 'U0STRANGER', action: '/wa', role: 'agent' }]);
    await run('command', { ack, respond: async () => {}, client: client(), body: { user_id: 'U0AGENT' } });
    expect(ran).toEqual(['/wa']);
  });

  it('when an agent presses a lead-only button, then where it was pressed decides how they are told: the message\'s channel and thread, else a modal', async () => {
    const { ran, refused, run, mount } = table();
    mount();
    const c = client();
    const press = (body: object) => run('action', { ack: async () => {}, client: c, action: { action_id: 'archive' }, body: { user: { id: 'U0AGENT' }, trigger_id: 'tr', ...body } });
    await press({ channel: { id: 'C1' }, message: { ts: '1.1', thread_ts: '1.0' } });
    await press({ view: { type: 'home' } });
    await press({ view: { type: 'modal' } });
    expect(ran).toEqual([]);
    expect(c.calls.map(([name]) => name)).toEqual(['chat.postEphemeral', 'views.open', 'views.push']);
    expect(c.calls[0]![1]).toEqual({ channel: 'C1', user: 'U0AGENT', thread_ts: '1.0', text: expect.stringMatching(/^:lock: Only team leads can archive contacts\./) });
    expect(refused).toEqual(Array(3).fill({ actor: 'U0AGENT', action: 'hygiene_archive', role: 'lead' }));
    await run('action', { ack: async () => {}, client: c, action: { action_id: 'archive' }, body: { user: { id: 'U0LEAD' } } });
    expect(ran).toEqual(['archive']);
  });

  it('when an agent uses a lead-only shortcut on a message, then they are told in its thread, and the audit keeps what the registration says', async () => {
    const { ran, refused, run, mount } = table();
    mount();
    const c = client();
    await run('shortcut', { ack: async () => {}, client: c, shortcut: { callback_id: 'forget' }, body: { user: { id: 'U0AGENT' }, channel: { id: 'C1' }, message: { ts: '1.5' } } });
    expect(ran).toEqual([]);
    expect(c.calls[0]).toEqual(['chat.postEphemeral', expect.objectContaining({ channel: 'C1', thread_ts: '1.5' })]);
    expect(refused).toEqual([{ actor: 'U0AGENT', action: 'forget', role: 'lead', args: { contact: 'ps_1' } }]);
  });

  it('when an agent submits a lead-only modal, then its first field shows why; a modal without fields is replaced by the refusal', async () => {
    const { ran, run, mount } = table();
    mount();
    const submit = async (callbackId: string, view: object) => {
      const { acked, ack } = acks();
      await run('view', { ack, client: client(), body: { user: { id: 'U0AGENT' } }, view: { callback_id: callbackId, ...view } });
      return acked[0] as { response_action: string; errors?: object; view?: object };
    };
    const fields = { blocks: [{ type: 'section', block_id: 'intro' }, { type: 'input', block_id: 'shortcut' }, { type: 'input', block_id: 'body' }], state: { values: { body: {}, shortcut: {} } } };
    expect(await submit('qr', fields)).toEqual({ response_action: 'errors', errors: { shortcut: expect.stringMatching(/^Only team leads can do that\./) } });
    // Without the blocks (as tests build submissions), the fields are those with values.
    expect(await submit('qr', { state: { values: { body: {} } } })).toEqual({ response_action: 'errors', errors: { body: expect.any(String) } });
    const confirm = await submit('confirm', { blocks: [{ type: 'section' }], state: { values: {} } });
    expect(confirm).toMatchObject({ response_action: 'update', view: { type: 'modal', title: { text: 'Not allowed' } } });
    expect(ran).toEqual([]);
  });

  it('when an event has no actor, then its listener runs unchecked; a refused actor is told by the registration, and recorded unless it was nothing of ours', async () => {
    const { refused, policy: p } = policy();
    const { app, mounted } = recordingApp();
    const t = createListenerTable(p);
    const ran: string[] = [];
    const told: string[] = [];
    t.listeners.message(async ({ message }) => void ran.push((message as { text: string }).text), {
      role: 'agent',
      action: 'thread_reply',
      actor: ({ message }) => (message as { user?: string }).user,
      refuse: async ({ message }) => {
        told.push((message as { text: string }).text);
        return (message as { text: string }).text === 'ours' ? { contact: 'ps_2' } : null;
      },
    });
    t.mount(app);
    const deliver = (message: object) => mounted[0]!.listener({ message, client: client() });
    await deliver({ text: 'a bot' });
    await deliver({ text: 'agent', user: 'U0AGENT' });
    await deliver({ text: 'ours', user: 'U0STRANGER' });
    await deliver({ text: 'elsewhere', user: 'U0STRANGER' });
    expect(ran).toEqual(['a bot', 'agent']);
    expect(told).toEqual(['ours', 'elsewhere']);
    expect(refused).toEqual([{ actor: 'U0STRANGER', action: 'thread_reply', role: 'agent', args: { contact: 'ps_2' } }]);
    expect(t.registered().access).toEqual([{ kind: 'event', id: 'thread_reply', role: 'agent' }]);
  });
});
