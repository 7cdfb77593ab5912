import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
/** A real tsc run: seconds on an idle machine, far more on a busy CI runner. */
const BUILD_TIMEOUT_MS = 90_000;
const STALE_LINE = 'dist/ is missing or older than src/: run npm run build where dev dependencies are installed';

/** A throw-away project: the script, one source file, and (if asked) TypeScript and a built dist/. */
function project(options: { typescript: boolean; types?: boolean; dist?: 'fresh' | 'stale'; build?: string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-ensure-build-'));
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(path.join(root, 'scripts/ensure-build.mjs'), path.join(dir, 'scripts/ensure-build.mjs'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/main.ts'), 'export const built: number = 1;\n');
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'p',
      private: true,
      scripts: { build: options.build ?? 'node node_modules/typescript/bin/tsc -p tsconfig.build.json' },
      devDependencies: { typescript: '*', '@types/node': '*' },
    }),
  );
  writeFileSync(
    path.join(dir, 'tsconfig.build.json'),
    JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'dist', module: 'commonjs', types: ['node'] }, include: ['src'] }),
  );
  if (options.typescript) {
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(path.join(root, 'node_modules/typescript'), path.join(dir, 'node_modules/typescript'), 'dir');
  }
  if (options.typescript && options.types !== false) {
    mkdirSync(path.join(dir, 'node_modules/@types'));
    symlinkSync(path.join(root, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'), 'dir');
  }
  const source = new Date('2026-01-02T00:00:00Z');
  for (const input of ['src/main.ts', 'tsconfig.build.json']) utimesSync(path.join(dir, input), source, source);
  if (options.dist) {
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist/main.js'), 'exports.built = 0;\n');
    const at = options.dist === 'fresh' ? new Date('2026-01-03T00:00:00Z') : new Date('2026-01-01T00:00:00Z');
    utimesSync(path.join(dir, 'dist/main.js'), at, at);
  }
  return dir;
}

function ensureBuild(dir: string) {
  const run = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: dir, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scripts/ensure-build.mjs (npm prestart)', () => {
  const dirs: string[] = [];
  const make = (options: Parameters<typeof project>[0]) => {
    const dir = project(options);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('when dist/ is newer than src/, then it does nothing, even without TypeScript', () => {
    const dir = make({ typescript: false, dist: 'fresh' });
    const result = ensureBuild(dir);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('when dist/ is missing and TypeScript is not installed, then it fails with one line saying what to do', () => {
    const dir = make({ typescript: false });
    const result = ensureBuild(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${STALE_LINE}\n`);
  });

  it('when dist/ is older than src/ and TypeScript is not installed, then it fails with the same line', () => {
    const dir = make({ typescript: false, dist: 'stale' });
    const result = ensureBuild(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${STALE_LINE}\n`);
  });

  it('when TypeScript is installed but the @types packages are not (a production install), then it fails with the same line', () => {
    // typescript is an optional peer of a production dependency, so `npm ci --omit=dev` installs it.
    const dir = make({ typescript: true, types: false, dist: 'stale' });
    const result = ensureBuild(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${STALE_LINE}\n`);
  });

  it('when dist/ is older than src/ and TypeScript is installed, then it builds', () => {
    const dir = make({ typescript: true, dist: 'stale' });
    const result = ensureBuild(dir);
    expect(result.code).toBe(0);
    expect(require(path.join(dir, 'dist/main.js'))).toEqual({ built: 1 });
  }, BUILD_TIMEOUT_MS);

  it('when dist/ is missing and TypeScript is installed, then it builds', () => {
    // The real compiler ran in the test above; here the project's build script stands in for it (a
    // tsc run costs many seconds on a busy CI runner), so what is tested is that the script runs it.
    const dir = make({ typescript: true, build: `node -e "require('fs').mkdirSync('dist');require('fs').writeFileSync('dist/main.js','')"` });
    expect(ensureBuild(dir).code).toBe(0);
    expect(existsSync(path.join(dir, 'dist/main.js'))).toBe(true);
  }, BUILD_TIMEOUT_MS);
});
