import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPrivacy } from '../../src/privacy/privacy';
import { startApp, type RunningApp } from '../../src/start-app';
import type { CloudWebhookRepository } from '../../src/store/repositories/cloud-webhook-repository';
import { SIGNING_SECRET } from './app-harness';
import { CrashSwitch } from './crash-switch';
import { validEnv } from './env';
import { signWebhook, type FakeGraphApi } from './fake-graph-api';
import { testServerUri, uniqueDbName } from './mongo';
import type { FakeSlackApi } from './slack/fake-slack-api';

export const CLOUD_TOKEN = 'EAAG-test-token-0123456789';
export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token-0123456789';

export interface CloudApp {
  app: RunningApp;
  baseUrl: string;
  dbName: string;
  /** POSTs a webhook body to the app; signed with the app secret unless `signature` says otherwise (null: no header). */
  postWebhook(body: unknown, options?: { signature?: string | null }): Promise<{ status: number; text: string }>;
  /** After the next webhook is stored, the app crashes (store and WhatsApp calls fail) before it is processed. */
  crashAfterNextStore(): void;
  /** The next webhook write reaches MongoDB, but its answer is lost (a connection reset): the request fails. */
  loseNextStoreAnswer(): void;
  crashed(): boolean;
  stop(): Promise<void>;
}

/**
 * The real app with WHATSAPP_GATEWAY=cloud — the Cloud API gateway the composition root builds,
 * its webhook routes on the app's port — against a fake Graph API and the fake Slack API.
 */
export async function startCloudApp(slack: FakeSlackApi, graph: FakeGraphApi, options: { dbName?: string; keepDb?: boolean; env?: Record<string, string> } = {}): Promise<CloudApp> {
  const dbName = options.dbName ?? uniqueDbName('cloud');
  graph.token = CLOUD_TOKEN;
  const config = loadConfig(
    validEnv({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${dbName}`,
      PORT: '0',
      WHATSAPP_GATEWAY: 'cloud',
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: graph.phoneNumberId,
      WHATSAPP_CLOUD_WABA_ID: graph.wabaId,
      WHATSAPP_CLOUD_TOKEN: CLOUD_TOKEN,
      WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_CLOUD_API_URL: graph.origin,
      SLACK_POST_PER_SEC: '1000',
      SLACK_POST_BURST: '1000',
      UNDO_SECONDS: '0',
      LOG_LEVEL: 'silent',
      ...options.env,
    }),
  );
  const crashSwitch = new CrashSwitch();
  let crashNext = false;
  let loseAnswer = false;
  const app = await startApp(config, createLogger({ level: 'silent', pretty: false, pseudonym: createPrivacy(config.privacy).pseudonym }), {
    slack: { clientOptions: { retryConfig: { retries: 0 } } },
    printQr: () => {},
    random: () => 0.5,
    wrapRepositories: (repos) => {
      const inner = repos.cloudWebhooks;
      const cloudWebhooks: CloudWebhookRepository = {
        ...inner,
        async storeMany(...args) {
          const fresh = await inner.storeMany(...args);
          if (loseAnswer) {
            loseAnswer = false;
            throw new Error('connection reset before the answer (harness)');
          }
          if (crashNext) crashSwitch.pull();
          return fresh;
        },
      };
      return crashSwitch.repositories({ ...repos, cloudWebhooks });
    },
  });
  const baseUrl = `http://127.0.0.1:${app.port}`;
  let stopped = false;
  return {
    app,
    baseUrl,
    dbName,
    async postWebhook(body, o = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const signature = o.signature === undefined ? signWebhook(raw, APP_SECRET) : o.signature;
      const res = await fetch(`${baseUrl}/whatsapp/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) }, body: raw });
      return { status: res.status, text: await res.text() };
    },
    crashAfterNextStore() {
      crashNext = true;
    },
    loseNextStoreAnswer() {
      loseAnswer = true;
    },
    crashed: () => crashSwitch.crashed,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      if (!options.keepDb) {
        const client = await MongoClient.connect(testServerUri());
        await client.db(dbName).dropDatabase();
        await client.close();
      }
    },
  };
}
