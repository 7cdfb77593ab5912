import { Writable } from 'node:stream';
import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startApp, type RunningApp } from '../../src/start-app';
import { validEnv } from './env';
import { FakeWhatsAppGateway } from './fake-whatsapp-gateway';
import { testServerUri, uniqueDbName } from './mongo';
import { startFakeSlackApi, type FakeSlackApi } from './slack/fake-slack-api';

export const SIGNING_SECRET = 'test-signing-secret';

export interface TestApp {
  app: RunningApp;
  slack: FakeSlackApi;
  gateway: FakeWhatsAppGateway;
  /** Where the app's HTTP receiver listens: `postSlashCommand(baseUrl, …)`. */
  baseUrl: string;
  /** Every log line the app wrote, parsed. */
  logs: Document[];
  stop(): Promise<void>;
}

/**
 * The real app — composition root, Bolt HTTP receiver with signature checks, mongoose over the
 * wire — with its own database, a fake Slack Web API over HTTP and a fake WhatsApp gateway.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const slack = await startFakeSlackApi();
  const dbName = uniqueDbName('app');
  const config = loadConfig(
    validEnv({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${dbName}`,
      PORT: '0',
      WHATSAPP_GATEWAY: 'none',
      LOG_LEVEL: 'debug',
      ...env,
    }),
  );
  const logs: Document[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Document);
      done();
    },
  });
  const gateway = new FakeWhatsAppGateway();
  const app = await startApp(config, createLogger({ level: 'debug', pretty: false }, sink), {
    gateway,
    slack: { clientOptions: { retryConfig: { retries: 0 } } },
  });
  return {
    app,
    slack,
    gateway,
    baseUrl: `http://127.0.0.1:${app.port}`,
    logs,
    async stop() {
      await app.stop();
      const client = await MongoClient.connect(testServerUri());
      await client.db(dbName).dropDatabase();
      await client.close();
      await slack.close();
    },
  };
}
