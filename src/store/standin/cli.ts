import { parseArgs } from 'node:util';
import pino from 'pino';
import { createLogger } from '../../logger';
import { startStandin } from './index';

/**
 * `npm run db:standin -- --port N`: the stand-in on its own, for local development and tools such
 * as mongosh. Prints the URI alone on stdout (logs go to stderr) so scripts can capture it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'test-commands': { type: 'boolean', default: false } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`db:standin: --port must be a number from 0 to 65535, got "${values.port}"\n`);
    process.exit(2);
  }
  const logger = createLogger({ level: 'info', pretty: false }, pino.destination(2));
  const server = await startStandin({ logger, port, enableTestCommands: values['test-commands'] });
  process.stdout.write(`${server.uri}\n`);
  logger.warn('in-process MongoDB stand-in: nothing it holds survives this process');
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const code = (err as { code?: string }).code;
  process.stderr.write(`db:standin: ${code === 'EADDRINUSE' ? 'that port is already in use' : String(err)}\n`);
  process.exit(1);
});
