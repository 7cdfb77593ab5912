import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/logger';
import { cloudWebhookRoutesFor } from '../../src/whatsapp/cloud/webhook-routes';
import { GatewaySendError, type OutboundMedia } from '../../src/whatsapp/gateway';
import type { WwebjsClient } from '../../src/whatsapp/wwebjs-client';
import { WwebjsGateway } from '../../src/whatsapp/wwebjs-gateway';
import { cloudGatewayOver, memoryWebhookStore } from '../support/cloud-webhook-rig';
import { buildWebhook, FakeGraphApi, inboundMessage, signWebhook, statusUpdate } from '../support/fake-graph-api';
import { FakeClient } from '../support/fake-wwebjs-client';
import { gatewayContract, type GatewayHarness, type HeldMessage } from './whatsapp-gateway.contract';

const CONTACT = '447911123456';
const CHAT = `${CONTACT}@c.us`;
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

// ---- whatsapp-web.js, over the scripted client ----------------------------------------------

interface WebMessage {
  id: { _serialized: string };
  fromMe: boolean;
  from: string;
  to: string;
  type: string;
  body: string;
  timestamp: number;
  hasMedia?: boolean;
  _data?: Record<string, unknown>;
  downloadMedia?: () => Promise<{ data: string; mimetype: string }>;
}

/**
 * The scripted client, holding what WhatsApp Web would: each chat's messages (ours as sent, edited
 * or deleted, and the contact's), so edits, deletions and history reads act on something real.
 */
class ScriptedClient extends FakeClient {
  /** Errors the next sends throw, in order (what whatsapp-web.js throws when the page or WhatsApp fails). */
  readonly sendFailures: Error[] = [];
  readonly held: Array<{ id: string; chatId: string; content: unknown; caption?: string; revoked?: boolean; timestamp: number }> = [];
  readonly inbound: WebMessage[] = [];

  override async sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>) {
    const failure = this.sendFailures.shift();
    if (failure) throw failure;
    const sent = await super.sendMessage(chatId, content);
    const id = (sent as { id: { _serialized: string } }).id._serialized;
    this.held.push({ id, chatId, content, timestamp: Math.floor(Date.now() / 1000), ...(typeof options?.caption === 'string' ? { caption: options.caption } : {}) });
    return sent;
  }

  /** A held message with whatsapp-web.js's `edit` and `delete`. */
  override async getMessageById(messageId?: string) {
    const message = this.held.find((m) => m.id === messageId && !m.revoked);
    if (!message) return null;
    return {
      id: { _serialized: message.id },
      edit: async (text: string) => {
        message.content = text;
        return message;
      },
      delete: async (everyone?: boolean) => {
        if (everyone) message.revoked = true;
      },
    } as never;
  }

  override async getChatById(chatId?: string) {
    const own = this.held.filter((m) => m.chatId === chatId && !m.revoked && typeof m.content === 'string');
    return { fetchMessages: async ({ limit }: { limit?: number }) => own.slice(-(limit ?? own.length)).map((m) => ({ id: { _serialized: m.id }, body: m.content, timestamp: m.timestamp })) as never[] };
  }

  /** The contact's message arrives, and stays in the chat for history reads. */
  deliver(message: WebMessage): void {
    this.inbound.push(message);
    const timestamp = Math.max(...this.inbound.map((m) => m.timestamp));
    this.chats = [{ id: { _serialized: CHAT }, isGroup: false, timestamp, fetchMessages: async ({ limit }) => this.inbound.slice(-(limit ?? this.inbound.length)) as never[] }];
    this.emit('message', message);
  }
}

async function wwebjsHarness(): Promise<GatewayHarness> {
  const client = new ScriptedClient();
  const gateway = new WwebjsGateway({
    createClient: () => client as unknown as WwebjsClient,
    // Stands in for the library's MessageMedia: what WhatsApp Web is handed.
    toMedia: (media: OutboundMedia) => ({ mimetype: media.mimetype, data: media.data, filename: media.filename }),
    clock: () => new Date(),
    logger: silentLogger(),
    allowGroups: false,
    readyTimeoutMs: 60_000,
    startTimeoutMs: 90_000,
    statePollMs: 60_000,
    backoff: { baseMs: 60_000, maxMs: 60_000 },
  });
  const message = (id: string, at: Date, fields: Partial<WebMessage>): WebMessage => ({ id: { _serialized: id }, fromMe: false, from: CHAT, to: '441234567890@c.us', type: 'chat', body: '', timestamp: seconds(at), ...fields });
  return {
    gateway,
    chatId: CHAT,
    // whatsapp-web.js passes on every `message` event it gets; the app's unique index on the id dedupes.
    duplicateInbound: 'twice_same_id',
    async start() {
      await gateway.start();
      client.emit('authenticated');
      client.emit('ready');
    },
    async inboundText({ id, text, at }) {
      client.deliver(message(id, at, { body: text }));
    },
    async inboundMedia({ id, data, mimetype, caption, at }) {
      client.deliver(message(id, at, { type: 'image', body: caption, hasMedia: true, _data: { mimetype, size: data.length }, downloadMedia: async () => ({ data: data.toString('base64'), mimetype }) }));
    },
    async ack(messageId, level) {
      client.emit('message_ack', { id: { _serialized: messageId } }, level === 'delivered' ? 2 : 3);
    },
    refuseNextSend() {
      // What whatsapp-web.js throws for a recipient WhatsApp will not take.
      client.sendFailures.push(new Error('Evaluation failed: Error: wid error: invalid wid'));
    },
    unreachableForNextSend() {
      client.sendFailures.push(new Error('Protocol error (Runtime.callFunctionOn): Target closed.'));
    },
    received(chatId) {
      return client.held
        .filter((m) => m.chatId === chatId && !m.revoked)
        .map((m): HeldMessage => {
          if (typeof m.content === 'string') return { id: m.id, kind: 'text', text: m.content };
          const media = m.content as { mimetype: string; data: Buffer };
          return { id: m.id, kind: 'media', mimetype: media.mimetype, data: media.data, ...(m.caption !== undefined ? { caption: m.caption } : {}) };
        });
    },
    close: () => gateway.stop(),
  };
}

// ---- the Cloud API, over the fake Graph API and signed webhooks over HTTP --------------------

const TOKEN = 'EAAG-contract-token-0123456789';
const APP_SECRET = 'contract-app-secret-0123456789';

function cloudHarnessFactory(graph: FakeGraphApi): () => Promise<GatewayHarness> {
  return async () => {
    const gateway = cloudGatewayOver(graph, { token: TOKEN, appSecret: APP_SECRET });
    // The app's own webhook routes on a server of their own: inbound traffic is a signed POST, as from Meta.
    const routes = cloudWebhookRoutesFor(gateway, { webhooks: memoryWebhookStore(), clock: () => new Date(), logger: silentLogger() });
    const server: Server = createServer((req, res) => {
      const route = routes.find((r) => r.path === new URL(req.url ?? '/', 'http://x').pathname && r.method.includes(req.method ?? ''));
      if (route) return route.handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whatsapp/webhook`;
    const post = async (body: unknown) => {
      const raw = JSON.stringify(body);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(raw, APP_SECRET) }, body: raw });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    };
    return {
      gateway,
      chatId: CHAT,
      // Meta redelivers the same body; the webhook inbox stores it by its hash and processes it once.
      duplicateInbound: 'once',
      start: () => gateway.start(),
      inboundText: ({ id, text, at }) => post(buildWebhook({ messages: [inboundMessage(CONTACT, 'text', { body: text }, { id, at })] })),
      async inboundMedia({ id, data, mimetype, caption, at }) {
        const mediaId = graph.hostMedia(data, mimetype);
        await post(buildWebhook({ messages: [inboundMessage(CONTACT, 'image', { id: mediaId, mime_type: mimetype, sha256: 'x', caption }, { id, at })] }));
      },
      ack: (messageId, level) => post(buildWebhook({ statuses: [statusUpdate(messageId, level, CONTACT)] })),
      refuseNextSend: () => graph.failSends({ code: 131026 }),
      unreachableForNextSend: () => graph.failSends({ code: 0, drop: true }),
      received(chatId) {
        const to = chatId.replace(/@.*$/, '');
        return graph.sends
          .filter((s) => s.to === to)
          .map((s): HeldMessage => {
            if (s.type === 'text') return { id: s.wamid, kind: 'text', text: (s.body.text as { body: string }).body };
            const part = s.body[s.type] as { id: string; caption?: string };
            const media = graph.media.get(part.id)!;
            return { id: s.wamid, kind: 'media', mimetype: media.mimetype, data: media.data, ...(part.caption !== undefined ? { caption: part.caption } : {}) };
          });
      },
      async close() {
        await gateway.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };
}

/** A send WhatsApp refuses for good, as the gateway reports it (the case the adapters do not share). */
async function refusedSend(h: GatewayHarness): Promise<{ kind: string; received: HeldMessage[] }> {
  await h.start();
  h.refuseNextSend();
  const err = await h.gateway.sendText(h.chatId, 'hello').catch((e: unknown) => e);
  if (!(err instanceof GatewaySendError)) throw new Error(`expected a GatewaySendError, got ${String(err)}`);
  return { kind: err.kind, received: h.received(h.chatId) };
}

gatewayContract('whatsapp-web.js', wwebjsHarness);

describe('whatsapp-web.js, outside the shared contract', () => {
  it('when WhatsApp Web refuses a send, then it fails as unknown, not rejected: every sendMessage throw is unknown, so the dispatcher retries it', async () => {
    const h = await wwebjsHarness();
    try {
      expect(await refusedSend(h)).toEqual({ kind: 'unknown', received: [] });
    } finally {
      await h.close();
    }
  });
});

describe('Cloud API', () => {
  const graph = new FakeGraphApi({ token: TOKEN });
  beforeAll(() => graph.start());
  afterAll(() => graph.close());
  gatewayContract('Cloud API', cloudHarnessFactory(graph));

  describe('outside the shared contract', () => {
    it('when Meta refuses a send (131026), then it fails as rejected and nothing is sent', async () => {
      const h = await cloudHarnessFactory(graph)();
      try {
        expect(await refusedSend(h)).toEqual({ kind: 'rejected', received: [] });
      } finally {
        await h.close();
      }
    });
  });
});
