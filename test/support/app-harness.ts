import { Writable } from 'node:stream';
import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPrivacy } from '../../src/privacy/privacy';
import { startApp, type RunningApp, type StartOverrides } from '../../src/start-app';
import type { WhatsAppGateway } from '../../src/whatsapp/gateway';
import { SendThrottle, withSendThrottle } from '../../src/whatsapp/send-throttle';
import { CrashSwitch } from './crash-switch';
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
  /**
   * A crash: from now on the app's store and WhatsApp calls fail and its gateway listeners hear
   * nothing, so in-flight work stops at its next store call instead of finishing; then the port and
   * the connection are closed. The database and the shared fakes stay for the next instance.
   */
  crash(): Promise<void>;
  /** True once `crash()` was called or the crash switch was pulled (a fault injector may pull it mid-call). */
  readonly crashed: boolean;
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
  /** Stands between the app and its repositories (fault injection); inside the crash switch. */
  wrapRepositories?: StartOverrides['wrapRepositories'];
  /**
   * Runs the real send throttle in front of the gateway, as production does, waiting through
   * `sleep` (a test moves its clock instead of waiting); `random` sets the jitter.
   */
  sendThrottle?: { sleep: (ms: number) => Promise<void>; random?: () => number };
  /** The switch `crash()` pulls; pass one to pull it yourself mid-call (a fault injector), then call `crash()`. */
  crashSwitch?: CrashSwitch;
  /** Stands between the app and its whole gateway chain, throttle included (tests watch what the app asks of WhatsApp). */
  wrapGateway?: (gateway: WhatsAppGateway) => WhatsAppGateway;
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
  const crashSwitch = options.crashSwitch ?? new CrashSwitch();
  const linked = crashSwitch.gateway(gateway);
  const throttled = options.sendThrottle
    ? withSendThrottle(linked, new SendThrottle({ ...config.whatsapp.throttle, clock: options.clock ?? (() => new Date()), ...options.sendThrottle }))
    : linked;
  const outermost = options.wrapGateway ? options.wrapGateway(throttled) : throttled;
  const wrap = options.wrapRepositories;
  const app = await startApp(config, createLogger({ level: 'debug', pretty: false, pseudonym: createPrivacy(config.privacy).pseudonym }, sink), {
    ...(options.whatsappClient ? { whatsappClient: options.whatsappClient } : { gateway: outermost }),
    slack: { clientOptions: { retryConfig: { retries: 0 } } },
    printQr: options.printQr ?? (() => {}),
    random: () => 0.5,
    ...(options.clock ? { clock: options.clock } : {}),
    wrapRepositories: (repos) => crashSwitch.repositories(wrap ? wrap(repos) : repos),
  });
  let appStopped = false;
  return {
    app,
    slack,
    gateway,
    baseUrl: `http://127.0.0.1:${app.port}`,
    logs,
    get crashed() {
      return crashSwitch.crashed;
    },
    async crash() {
      crashSwitch.pull();
      appStopped = true;
      await app.stop();
    },
    async stop() {
      if (!appStopped) await app.stop();
      appStopped = true;
      if (!options.keepDb) {
        const client = await MongoClient.connect(testServerUri());
        await client.db(dbName).dropDatabase();
        await client.close();
      }
      if (!options.slack) await slack.close();
    },
  };
}
