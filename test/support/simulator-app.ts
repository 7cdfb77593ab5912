import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPrivacy } from '../../src/privacy/privacy';
import { startApp, type RunningApp } from '../../src/start-app';
import type { SimulatorGateway } from '../../src/whatsapp/simulator/simulator-gateway';
import { simulatorBehind } from '../../src/whatsapp/simulator/simulator-registry';
import { SIGNING_SECRET } from './app-harness';
import { validEnv } from './env';
import { testServerUri, uniqueDbName } from './mongo';
import type { FakeSlackApi } from './slack/fake-slack-api';

export interface SimulatorApp {
  app: RunningApp;
  /** The page side of the simulator the app runs. */
  simulator: SimulatorGateway;
  baseUrl: string;
  /** The WhatsApp data path the app was given (empty: no real session). */
  dataPath: string;
  stop(): Promise<void>;
}

export interface SimulatorAppOptions {
  /** Share a database with another instance (the one that stops first drops it). */
  dbName?: string;
  /** Runs on the WhatsApp data path before the app starts (say, leaving a session there). */
  prepare?: (dataPath: string) => void;
}

/**
 * The real app with WHATSAPP_GATEWAY=simulator — the production gateway chain (throttle, lease,
 * session guard) over the simulator — against the fake Slack API and its own database.
 */
export async function startSimulatorApp(slack: FakeSlackApi, env: Record<string, string | undefined> = {}, options: SimulatorAppOptions = {}): Promise<SimulatorApp> {
  const dbName = options.dbName ?? uniqueDbName('sim');
  const dataPath = mkdtempSync(join(tmpdir(), 'switchboard-sim-'));
  options.prepare?.(dataPath);
  const config = loadConfig(
    validEnv({
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      MONGODB_URI: `${testServerUri().replace(/\/$/, '')}/${dbName}`,
      PORT: '0',
      WHATSAPP_GATEWAY: 'simulator',
      WHATSAPP_DATA_PATH: dataPath,
      // Pacing stays on (it is part of the chain under test) but without random waits.
      WHATSAPP_SEND_PER_CHAT_SEC: '0',
      WHATSAPP_SEND_PER_MINUTE: '120',
      WHATSAPP_SEND_JITTER_MS: '0',
      SLACK_POST_PER_SEC: '1000',
      SLACK_POST_BURST: '1000',
      UNDO_SECONDS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  const cleanup = async () => {
    rmSync(dataPath, { recursive: true, force: true });
    const client = await MongoClient.connect(testServerUri());
    await client.db(dbName).dropDatabase();
    await client.close();
  };
  let app: RunningApp;
  try {
    app = await startApp(config, createLogger({ level: 'silent', pretty: false, pseudonym: createPrivacy(config.privacy).pseudonym }), {
      slack: { clientOptions: { retryConfig: { retries: 0 } } },
      printQr: () => {},
      random: () => 0.5,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const simulator = simulatorBehind(app.deps.gateway);
  if (!simulator) throw new Error('the app did not build the simulator gateway');
  return {
    app,
    simulator,
    baseUrl: `http://127.0.0.1:${app.port}`,
    dataPath,
    async stop() {
      await app.stop();
      await cleanup();
    },
  };
}
