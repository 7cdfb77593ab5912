#!/usr/bin/env node
// `npm start`'s prestart: builds dist/ only when it is missing or older than the sources. Plain Node
// and no dependencies, because it also runs where only production dependencies are installed
// (`npm ci --omit=dev`), where the build tools are absent: a stale build is then reported, not attempted.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'main.js');
/** What the build reads: every file under src/ and the compiler settings. */
const inputs = [path.join(root, 'src'), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];

/** The newest modification time of a file, or of any file below a folder; 0 when nothing is there. */
function newest(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

/**
 * Whether the compiler and the type packages it needs are installed. TypeScript alone is not
 * enough: a production install has it too (an optional peer of a production dependency), but not
 * every @types package (@types/qrcode is dev-only), so a build there would only fail with type errors.
 */
function buildToolsInstalled() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const needed = Object.keys(manifest.devDependencies ?? {}).filter((name) => name === 'typescript' || name.startsWith('@types/'));
  const resolve = createRequire(path.join(root, 'package.json')).resolve;
  return needed.includes('typescript') && needed.every((name) => {
    try {
      resolve(`${name}/package.json`);
      return true;
    } catch {
      return false;
    }
  });
}

const sources = Math.max(...inputs.map(newest));
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);

if (!buildToolsInstalled()) {
  process.stderr.write('dist/ is missing or older than src/: run npm run build where dev dependencies are installed\n');
  process.exit(1);
}

process.stdout.write('dist/ is missing or older than src/: building (npm run build)\n');
// npm sets npm_execpath when it runs this script; `npm` on PATH otherwise.
const npm = process.env.npm_execpath;
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(build.status ?? 1);
