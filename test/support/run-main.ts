import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface MainResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `src/main.ts` as its own process — as `npm start` would, minus the build — in an empty
 * working directory (so no developer .env leaks in) with exactly the given environment.
 */
export function runMain(env: Record<string, string>, timeoutMs = 20_000): Promise<MainResult> {
  return spawnMain(env, timeoutMs).exited;
}

export interface RunningMain {
  /** Resolves once stdout+stderr match `pattern` (rejects if the process exits first). */
  waitForOutput(pattern: RegExp): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  exited: Promise<MainResult>;
}

/** Like {@link runMain}, but hands back the running process so a test can watch and signal it. */
export function spawnMain(env: Record<string, string>, timeoutMs = 20_000): RunningMain {
  const cwd = mkdtempSync(path.join(tmpdir(), 'switchboard-main-'));
  let child!: ReturnType<typeof spawn>;
  let output = '';
  const watchers: Array<() => void> = [];
  const exited = new Promise<MainResult>((resolve, reject) => {
    child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'src/main.ts')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const seen = () => watchers.forEach((w) => w());
    child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString()), seen()));
    child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), (output += d.toString()), seen()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    exited,
    signal: (sig) => void child.kill(sig),
    waitForOutput: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => pattern.test(output) && resolve();
        watchers.push(check);
        check();
        void exited.then((r) => reject(new Error(`main exited (${String(r.code)}) before printing ${String(pattern)}: ${output}`)));
      }),
  };
}
