/**
 * `npm run test:faults [-- --runs N] [--seed S] [jest options…]`: the fault-injection suite alone,
 * N schedules per family (a soak) from seed S; without them, CI's fixed seed and default count.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const args = process.argv.slice(2);
const env = { ...process.env };
const passOn: string[] = [];
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
  const name = flag === '--runs' ? 'FAULTS_RUNS' : flag === '--seed' ? 'FAULTS_SEED' : undefined;
  if (!name) {
    passOn.push(args[i]!);
    continue;
  }
  const value = inline ?? args[++i];
  if (!value || !/^\d+$/.test(value)) {
    console.error(`${flag} wants a whole number`);
    process.exit(2);
  }
  env[name] = value;
}

const root = path.join(__dirname, '..', '..');
const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), path.join('test', 'faults'), ...passOn], { cwd: root, env, stdio: 'inherit' });
jest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
