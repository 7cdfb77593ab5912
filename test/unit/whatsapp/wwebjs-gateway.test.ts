import { silentLogger } from '../../../src/logger';
import type { GatewayEvent } from '../../../src/whatsapp/gateway';
import type { WwebjsClient } from '../../../src/whatsapp/wwebjs-client';
import { WwebjsGateway, type Timers } from '../../../src/whatsapp/wwebjs-gateway';
import { FakeClient } from '../../support/fake-wwebjs-client';

/** Timers the test runs by hand: nothing waits on the wall clock. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(next, { fn, ms }), next++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.ms),
    async fireAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, p] of due) p.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

function setup(clients: FakeClient[]) {
  const made: FakeClient[] = [];
  const t = manualTimers();
  const events: GatewayEvent[] = [];
  const gw = new WwebjsGateway({
    createClient: () => {
      const c = clients.shift() ?? new FakeClient();
      made.push(c);
      return c as unknown as WwebjsClient;
    },
    toMedia: (m) => ({ media: m.filename }),
    clock: () => new Date('2026-11-25T09:00:00Z'),
    logger: silentLogger(),
    allowGroups: false,
    readyTimeoutMs: 60_000,
    startTimeoutMs: 90_000,
    statePollMs: 30_000,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    random: () => 1,
    timers: t.timers,
  });
  gw.on((e) => events.push(e));
  return { gw, made, t, events, states: () => events.filter((e) => e.type === 'state').map((e) => (e as { status: { state: string } }).status.state) };
}

describe('whatsapp-web.js gateway lifecycle', () => {
  it('when the client goes qr → authenticated → ready, then the states follow and sends go through', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('qr', 'QRDATA');
    client.emit('authenticated');
    client.emit('ready');
    expect(s.states()).toEqual(['starting', 'qr', 'authenticated', 'connected']);
    expect(s.events.find((e) => e.type === 'qr')).toEqual({ type: 'qr', qr: 'QRDATA' });
    await expect(s.gw.sendText('447911123456@c.us', 'hi')).resolves.toMatchObject({ id: 'true_447911123456@c.us_OUT1' });
  });

  it('when WhatsApp is not connected, then a send fails as not_connected and nothing is sent', async () => {
    const s = setup([]);
    await s.gw.start();
    await expect(s.gw.sendText('447911123456@c.us', 'hi')).rejects.toMatchObject({ kind: 'not_connected' });
    expect(s.made[0]!.sent).toEqual([]);
  });

  it('when the browser cannot start, then the state is unreachable and retries back off exponentially', async () => {
    const boom = () => new FakeClient(new Error('Failed to launch the browser process'));
    const s = setup([boom(), boom(), boom()]);
    await s.gw.start();
    await new Promise((r) => setImmediate(r)); // start() returns before initialize() settles
    expect(s.gw.status()).toMatchObject({ state: 'unreachable', detail: 'Failed to launch the browser process' });
    expect(s.t.delays()).toEqual([1000]);
    await s.t.fireAll();
    expect(s.t.delays()).toEqual([2000]);
    await s.t.fireAll();
    expect(s.t.delays()).toEqual([4000]);
    expect(s.made.every((c) => c.destroyed === 1)).toBe(true);
  });

  it('when ready never follows authenticated, then the watchdog rebuilds the client', async () => {
    const s = setup([]);
    await s.gw.start();
    s.made[0]!.emit('authenticated');
    expect(s.t.delays()).toEqual([60_000]);
    await s.t.fireAll(); // watchdog fires → reconnect scheduled
    await s.t.fireAll(); // reconnect runs
    expect(s.made).toHaveLength(2);
    expect(s.made[0]!.destroyed).toBe(1);
  });

  it('when the client disconnects, then a new client is built and late events of the old one are ignored', async () => {
    const s = setup([]);
    await s.gw.start();
    const old = s.made[0]!;
    old.emit('ready');
    old.emit('disconnected', 'NAVIGATION');
    await new Promise((r) => setImmediate(r)); // the old client is destroyed before the state changes
    expect(s.gw.status()).toMatchObject({ state: 'disconnected', detail: 'NAVIGATION' });
    await s.t.fireAll();
    old.emit('ready');
    expect(s.gw.status().state).toBe('starting');
    s.made[1]!.emit('ready');
    expect(s.gw.status().state).toBe('connected');
  });

  it('when stopped, then no reconnect is pending and the client is destroyed', async () => {
    const s = setup([new FakeClient(new Error('net::ERR_NAME_NOT_RESOLVED'))]);
    await s.gw.start();
    await s.gw.stop();
    expect(s.t.delays()).toEqual([]);
    expect(s.gw.status().state).toBe('stopped');
  });

  it('when a new client never shows a QR nor authenticates, then the start watchdog calls it unreachable and rebuilds it', async () => {
    const s = setup([]);
    await s.gw.start();
    expect(s.t.delays()).toEqual([90_000]);
    await s.t.fireAll(); // start watchdog
    expect(s.gw.status()).toMatchObject({ state: 'unreachable', detail: 'WhatsApp Web did not load in time' });
    expect(s.made[0]!.destroyed).toBe(1);
    await s.t.fireAll(); // the retry builds a new client
    expect(s.made).toHaveLength(2);
  });

  it('when a QR is on screen, then the start watchdog stands down (a person may take a while to scan)', async () => {
    const s = setup([]);
    await s.gw.start();
    s.made[0]!.emit('qr', 'QR1');
    expect(s.t.delays()).toEqual([]);
  });

  it('when the page throws on getState ("detached frame"), then it becomes a disconnected state and a new client, not a crash', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    client.states.push(new Error('Attempted to use detached Frame'));
    expect(s.t.delays()).toEqual([30_000]);
    await s.t.fireAll(); // poll → throws
    await new Promise((r) => setImmediate(r));
    expect(s.gw.status()).toMatchObject({ state: 'disconnected', detail: 'Attempted to use detached Frame' });
    await s.t.fireAll();
    expect(s.made).toHaveLength(2);
  });

  it('when getState reports a non-connected state once, then it waits; twice in a row, then it rebuilds', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    client.states.push('TIMEOUT', 'CONNECTED', 'CONFLICT', 'CONFLICT');
    await s.t.fireAll();
    await s.t.fireAll();
    await s.t.fireAll();
    expect(s.gw.status().state).toBe('connected');
    await s.t.fireAll();
    await new Promise((r) => setImmediate(r));
    expect(s.gw.status()).toMatchObject({ state: 'disconnected', detail: 'WhatsApp Web reports CONFLICT' });
  });

  it('when a contact edits, deletes or reacts, or we write from the phone, then the gateway emits the domain events; groups stay out', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    const msg = { fromMe: false, from: '447911123456@c.us', timestamp: 1795600000, id: { _serialized: 'false_447911123456@c.us_A1' } };
    client.emit('message_edit', msg, 'new text', 'old text');
    client.emit('message_revoke_everyone', { ...msg, type: 'revoked' }, msg);
    client.emit('message_reaction', { id: { fromMe: false }, msgId: { _serialized: 'true_447911123456@c.us_OUT1', remote: '447911123456@c.us' }, senderId: '447911123456@c.us', reaction: '❤️', timestamp: 1795600001 });
    client.emit('message_edit', { ...msg, from: '120363000000000000@g.us' }, 'group text', '');
    client.emit('message_create', { fromMe: true, from: '441234567890@c.us', to: '447911123456@c.us', type: 'chat', body: 'hi', timestamp: 1795600002, id: { _serialized: 'true_447911123456@c.us_PHONE' } });
    await new Promise((r) => setImmediate(r));
    // The contact's events keep their order (behind their alias lookup); ours is judged apart.
    const types = s.events.filter((e) => e.type !== 'state').map((e) => e.type);
    expect(types.filter((t) => t !== 'sent_from_phone')).toEqual(['edit', 'revoke', 'reaction']);
    expect(types).toContain('sent_from_phone');
    expect(s.gw.browserPid()).toBe(4242);
  });

  it('when asked for our recent messages in a chat, then they come back as ids, texts and times', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    client.own = [
      { id: { _serialized: 'true_447911123456@c.us_A' }, body: 'first', timestamp: 1795600000 },
      { id: { _serialized: 'true_447911123456@c.us_B' }, body: 'second', timestamp: 1795600005 },
    ];
    expect(await s.gw.recentOwnMessages('447911123456@c.us', 1)).toEqual([
      { id: 'true_447911123456@c.us_B', text: 'second', at: new Date(1795600005 * 1000) },
    ]);
  });

  it('when asked for missed messages, then a connected client reads its chats; otherwise the answer is not_connected', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    await expect(s.gw.messagesSince(new Date(1795600000 * 1000), 10)).rejects.toMatchObject({ kind: 'not_connected' });
    client.emit('ready');
    const incoming = { fromMe: false, from: '447911123456@c.us', type: 'chat', body: 'missed', timestamp: 1795600010, id: { _serialized: 'false_447911123456@c.us_M1' } };
    client.chats = [{ id: { _serialized: '447911123456@c.us' }, isGroup: false, timestamp: 1795600010, fetchMessages: async () => [incoming as never] }];
    expect(await s.gw.messagesSince(new Date(1795600000 * 1000), 10)).toEqual({
      messages: [expect.objectContaining({ id: 'false_447911123456@c.us_M1', from: '447911123456@c.us', content: { kind: 'text', text: 'missed' } })],
      truncatedChats: 0,
    });
  });

  it('when WhatsApp reports the app\'s own send as created, even before the send has returned, then it is not taken for a phone message; one from the phone is', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    const chat = '447911123456@c.us';
    const created = (id: string, body: string) => ({ fromMe: true, from: '441234567890@c.us', to: chat, type: 'chat', body, timestamp: 1795600003, deviceType: 'android', id: { _serialized: id } });
    // WhatsApp Web adds the message (message_create) before sendMessage resolves with its id.
    let answer!: () => void;
    client.sendMessage = async (chatId: string, content: unknown) => {
      const id = `true_${chatId}_OUT1`;
      client.emit('message_create', created(id, String(content)));
      client.emit('message_create', created(`true_${chatId}_FROMPHONE`, 'typed on the phone meanwhile'));
      await new Promise<void>((resolve) => (answer = resolve));
      return { id: { _serialized: id } } as never;
    };
    const sending = s.gw.sendText(chat, 'Your order ships today');
    await new Promise((r) => setImmediate(r));
    expect(s.events.filter((e) => e.type === 'sent_from_phone')).toEqual([]); // judged once the send returns
    answer();
    await sending;
    await new Promise((r) => setImmediate(r));
    expect(s.events.filter((e) => e.type === 'sent_from_phone').map((e) => (e as { message: { id: string } }).message.id)).toEqual([`true_${chat}_FROMPHONE`]);
    // Reported again later: still known as ours.
    client.emit('message_create', created(`true_${chat}_OUT1`, 'Your order ships today'));
    await new Promise((r) => setImmediate(r));
    expect(s.events.filter((e) => e.type === 'sent_from_phone')).toHaveLength(1);
  });

  it('when a send to the chat hangs past the limit, then a message created meanwhile is taken as ours (unmirrored rather than shown twice)', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    client.sendMessage = () => new Promise<never>(() => {});
    void s.gw.sendText('447911123456@c.us', 'stuck');
    client.emit('message_create', { fromMe: true, to: '447911123456@c.us', type: 'chat', body: 'stuck', timestamp: 1795600004, id: { _serialized: 'true_447911123456@c.us_X' } });
    await new Promise((r) => setImmediate(r));
    expect(s.t.delays()).toContain(60_000);
    await s.t.fireAll();
    expect(s.events.filter((e) => e.type === 'sent_from_phone')).toEqual([]);
  });

  it('when a message comes from an @lid id WhatsApp can place, then it carries the phone id as its alias', async () => {
    const s = setup([]);
    await s.gw.start();
    const client = s.made[0]!;
    client.emit('ready');
    client.aliases.set('123456789012345@lid', { lid: '123456789012345@lid', pn: '447911123456@c.us' });
    client.emit('message', { fromMe: false, from: '123456789012345@lid', to: '441234567890@c.us', type: 'chat', body: 'hi', timestamp: 1795600005, id: { _serialized: 'false_123456789012345@lid_L1' } });
    await new Promise((r) => setImmediate(r));
    const message = s.events.find((e) => e.type === 'message') as { message: { from: string; alias?: string } } | undefined;
    expect(message?.message).toMatchObject({ from: '123456789012345@lid', alias: '447911123456@c.us' });
  });
});
