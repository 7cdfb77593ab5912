import type { Message } from 'whatsapp-web.js';
import { incomingSince, type WwebjsChat } from '../../../src/whatsapp/wwebjs-history';

// The library's own Message class, fed raw data the way whatsapp-web.js receives it from WhatsApp Web.
const WMessage = require('whatsapp-web.js/src/structures/Message') as new (client: unknown, data: object) => Message;

function message(remote: string, id: string, t: number, overrides: Record<string, unknown> = {}): Message {
  const fromMe = overrides.fromMe === true;
  return new WMessage(
    {},
    { id: { fromMe, remote, id, _serialized: `${fromMe}_${remote}_${id}` }, type: 'chat', body: id, t, from: fromMe ? '441234567890@c.us' : remote, to: remote, ...overrides },
  );
}

/** A chat as whatsapp-web.js returns it: `fetchMessages` gives the newest `limit`, oldest first. */
function chat(messages: Message[], isGroup = false): WwebjsChat & { reads: number } {
  return {
    id: { _serialized: messages[0]!.id.remote },
    isGroup,
    reads: 0,
    timestamp: Math.max(...messages.map((m) => m.timestamp)),
    async fetchMessages({ limit }) {
      this.reads++;
      return messages.slice(-(limit ?? messages.length));
    },
  };
}

const ANA = '447911123456@c.us';
const BO = '447700900123@c.us';
const since = new Date(1_795_600_000_000);
const s = since.getTime() / 1000;

describe('reading missed messages from whatsapp-web.js chats', () => {
  it('when chats hold messages from before and after `since`, then the incoming ones from `since` on come back, oldest first across chats', async () => {
    const ana = chat([message(ANA, 'A0', s - 60), message(ANA, 'A1', s), message(ANA, 'MINE', s + 5, { fromMe: true }), message(ANA, 'A2', s + 30)]);
    const bo = chat([message(BO, 'B1', s + 10)]);
    const { messages: found, truncatedChats } = await incomingSince([ana, bo], since, 100, { allowGroups: false });
    expect(truncatedChats).toBe(0);
    expect(found.map((m) => m.id)).toEqual([`false_${ANA}_A1`, `false_${BO}_B1`, `false_${ANA}_A2`]);
    expect(found[0]).toMatchObject({ from: ANA, content: { kind: 'text', text: 'A1' }, at: since });
  });

  it('when a chat was last written in before `since`, then it is not read at all', async () => {
    const quiet = chat([message(ANA, 'OLD', s - 1)]);
    expect(await incomingSince([quiet], since, 100, { allowGroups: false })).toEqual({ messages: [], truncatedChats: 0 });
    expect(quiet.reads).toBe(0);
  });

  it('when a chat has more than `perChat` messages since then, ours included, then only its newest `perChat` are read, and the chat is counted as cut short', async () => {
    const busy = chat([message(ANA, 'M1', s + 1), message(ANA, 'M2', s + 2), message(ANA, 'OURS', s + 3, { fromMe: true }), message(ANA, 'M4', s + 4)]);
    expect(await incomingSince([busy], since, 2, { allowGroups: false })).toEqual({ messages: [expect.objectContaining({ id: `false_${ANA}_M4` })], truncatedChats: 1 });
    // A full page that reaches back before `since` is complete.
    const complete = chat([message(BO, 'OLD', s - 5), message(BO, 'NEW', s + 5)]);
    expect((await incomingSince([complete], since, 2, { allowGroups: false })).truncatedChats).toBe(0);
  });

  it('when a message was deleted for everyone, then it is left out rather than brought in as a placeholder', async () => {
    const ana = chat([message(ANA, 'GONE', s + 1, { type: 'revoked', body: '' }), message(ANA, 'KEPT', s + 2)]);
    expect((await incomingSince([ana], since, 100, { allowGroups: false })).messages.map((m) => m.id)).toEqual([`false_${ANA}_KEPT`]);
  });

  it('when a group or a status broadcast is among the chats, then its messages are left out unless groups are allowed', async () => {
    const group = chat([message('120363000000000000@g.us', 'G1', s + 1, { author: ANA })], true);
    const status = chat([message('status@broadcast', 'S1', s + 1)]);
    expect(await incomingSince([group, status], since, 100, { allowGroups: false })).toEqual({ messages: [], truncatedChats: 0 });
    // Not even read: loading a chat is a round trip into the page.
    expect([group.reads, status.reads]).toEqual([0, 0]);
    expect((await incomingSince([group, status], since, 100, { allowGroups: true })).messages.map((m) => m.id)).toEqual(['false_120363000000000000@g.us_G1']);
  });
});
