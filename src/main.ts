import { existsSync } from 'node:fs';
import { loadConfig } from './config';
import { isAppError } from './errors';
import { createLogger, type Logger } from './logger';
import { createPrivacy } from './privacy/privacy';
import { startApp } from './start-app';

/**
 * The process shell: the only place that reads the environment and owns signals and exit codes.
 * Wiring the parts together is start-app.ts's job.
 */
async function main(): Promise<void> {
  // A local .env is a convenience for development; real deployments set the environment.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  // Built after the config (whose errors are printed plainly): log lines carry the keyed pseudonym of a contact, never their number.
  const logger = createLogger({ ...config.log, pseudonym: createPrivacy(config.privacy).pseudonym });
  // whatsapp-web.js and puppeteer can reject promises nobody awaits (a page closing mid-call). Such a
  // rejection is logged with its cause; it must not take Slack down with it.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  const app = await startApp(config, logger);
  installShutdown(app.stop, logger);
}

/** SIGTERM/SIGINT: stop taking work, finish what is in flight, close the store, exit 0 within 10 s. */
function installShutdown(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  // Known start-up failures are the operator's to fix: say what is wrong, without a stack trace.
  if (isAppError(err)) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else {
    process.stderr.write(`switchboard: unexpected start-up failure: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
