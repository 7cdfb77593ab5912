import { Writable } from 'node:stream';
import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startApp, type RunningApp, type StartOverrides } from '../../src/start-app';
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

export interface TestAppOptions {
  /** Share a database between instances (the first to stop drops it unless `keepDb`). */
  dbName?: string;
  keepDb?: boolean;
  /** Share one fake Slack API between instances. */
  slack?: FakeSlackApi;
  /** Run the production gateway chain (throttle, lease, watchdog) over this scripted client instead of the fake gateway. */
  whatsappClient?: StartOverrides['whatsappClient'];
  printQr?: StartOverrides['printQr'];
  /** The fake WhatsApp to use (say, one holding messages that arrived while the app was down). */
  gateway?: FakeWhatsAppGateway;
  clock?: StartOverrides['clock'];
}

/**
 * The real app — composition root, Bolt HTTP receiver with signature checks, mongoose over the
 * wire — with its own database, a fake Slack Web API over HTTP and a fake WhatsApp gateway.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const slack = options.slack ?? (await startFakeSlackApi());
  const dbName = options.dbName ?? uniqueDbName('app');
  const config = loadConfig(
    validEnv({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${dbName}`,
      PORT: '0',
      WHATSAPP_GATEWAY: options.whatsappClient ? 'wwebjs' : 'none',
      // Slack's real per-channel pace (1/s) would make every mirroring test take minutes; the
      // limiter has its own tests, and tests that need it set these.
      SLACK_POST_PER_SEC: '1000',
      SLACK_POST_BURST: '1000',
      LOG_LEVEL: 'debug',
      // The undo window holds every reply 5 s; tests of it set it, the others send at once.
      UNDO_SECONDS: '0',
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
  const gateway = options.gateway ?? new FakeWhatsAppGateway(options.clock);
  const app = await startApp(config, createLogger({ level: 'debug', pretty: false }, sink), {
    ...(options.whatsappClient ? { whatsappClient: options.whatsappClient } : { gateway }),
    slack: { clientOptions: { retryConfig: { retries: 0 } } },
    printQr: options.printQr ?? (() => {}),
    random: () => 0.5,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    app,
    slack,
    gateway,
    baseUrl: `http://127.0.0.1:${app.port}`,
    logs,
    async stop() {
      await app.stop();
      if (!options.keepDb) {
        const client = await MongoClient.connect(testServerUri());
        await client.db(dbName).dropDatabase();
        await client.close();
      }
      if (!options.slack) await slack.close();
    },
  };
}
