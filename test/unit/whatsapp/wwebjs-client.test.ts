import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, sandboxNotice, wwebjsClientFactory } from '../../../src/whatsapp/wwebjs-client';

/**
 * A stand-in for the Chromium binary: records the arguments it was started with, prints what a
 * real Chromium prints on stderr, and exits — so the launch path runs without a browser.
 */
function fakeChromium(dir: string, stderr: string): { path: string; argsFile: string } {
  const path = join(dir, 'chromium');
  const argsFile = join(dir, 'args.txt');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\necho '${stderr}' >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return { path, argsFile };
}

describe('Chromium sandbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-sandbox-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('chromiumArgs', () => {
    it('when the configuration does not ask otherwise, then the sandbox stays on', () => {
      const args = chromiumArgs({ noSandbox: false });
      expect(args).not.toContain('--no-sandbox');
      expect(args).not.toContain('--disable-setuid-sandbox');
      expect(args).toContain('--disable-dev-shm-usage');
    });

    it('when WHATSAPP_NO_SANDBOX asks for it, then both sandbox switches are turned off', () => {
      expect(chromiumArgs({ noSandbox: true })).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage']));
    });
  });

  describe('sandboxNotice', () => {
    it('when the sandbox is off, then a warning says Chromium renders strangers\' content without it and how to avoid that', () => {
      for (const runningAsRoot of [true, false]) {
        const notice = sandboxNotice({ noSandbox: true, runningAsRoot });
        expect(notice?.level).toBe('warn');
        expect(notice?.message).toMatch(/without its sandbox/);
        expect(notice?.message).toMatch(/strangers/);
        expect(notice?.message).toMatch(/non-root user/);
        expect(notice?.message).toContain('WHATSAPP_NO_SANDBOX');
      }
    });

    it('when root keeps the sandbox on, then an error says Chromium will not start, naming both ways out', () => {
      const notice = sandboxNotice({ noSandbox: false, runningAsRoot: true });
      expect(notice?.level).toBe('error');
      expect(notice?.message).toMatch(/will not start as root/);
      expect(notice?.message).toMatch(/non-root user/);
      expect(notice?.message).toContain('WHATSAPP_NO_SANDBOX=true');
    });

    it('when a non-root process keeps the sandbox on, then there is nothing to say', () => {
      expect(sandboxNotice({ noSandbox: false, runningAsRoot: false })).toBeUndefined();
    });
  });

  describe('the client factory', () => {
    it('when not root and nothing is configured, then Chromium is launched with its sandbox', async () => {
      const chromium = fakeChromium(dir, 'some launch failure');
      const client = wwebjsClientFactory({ dataPath: join(dir, 'data'), chromiumPath: chromium.path, noSandbox: false, runningAsRoot: false }).createClient();
      await expect(client.initialize()).rejects.toThrow();
      const args = readFileSync(chromium.argsFile, 'utf8').split('\n');
      expect(args).toContain('--disable-dev-shm-usage');
      expect(args).not.toContain('--no-sandbox');
      expect(args).not.toContain('--disable-setuid-sandbox');
      await client.destroy();
    }, 20_000);

    it('when WHATSAPP_NO_SANDBOX is set, then Chromium is launched without its sandbox', async () => {
      const chromium = fakeChromium(dir, 'some launch failure');
      const client = wwebjsClientFactory({ dataPath: join(dir, 'data'), chromiumPath: chromium.path, noSandbox: true, runningAsRoot: true }).createClient();
      await expect(client.initialize()).rejects.toThrow();
      expect(readFileSync(chromium.argsFile, 'utf8').split('\n')).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-setuid-sandbox']));
      await client.destroy();
    }, 20_000);

    it('when root keeps the sandbox on, then starting fails with the fix in one line, and no browser is launched', async () => {
      const chromium = fakeChromium(dir, 'Running as root without --no-sandbox is not supported.');
      const client = wwebjsClientFactory({ dataPath: join(dir, 'data'), chromiumPath: chromium.path, noSandbox: false, runningAsRoot: true }).createClient();
      const err = (await client.initialize().then(() => undefined, (e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/will not start as root/);
      expect(err.message).toContain('WHATSAPP_NO_SANDBOX=true');
      expect(err.message).toMatch(/non-root user/);
      // A configuration problem, not a bug: no stack trace to bury the fix in the log.
      expect(err.stack).not.toMatch(/\n\s+at /);
      expect(existsSync(chromium.argsFile)).toBe(false);
      expect(client.browserPid()).toBeUndefined();
      await client.destroy();
    });

    it('when Chromium finds no usable sandbox on the host, then starting fails saying so and naming WHATSAPP_NO_SANDBOX', async () => {
      const chromium = fakeChromium(dir, '[1:1:FATAL:zygote_host_impl_linux.cc(127)] No usable sandbox! Update your kernel or see https://example.invalid/suid_sandbox_development.md');
      const client = wwebjsClientFactory({ dataPath: join(dir, 'data'), chromiumPath: chromium.path, noSandbox: false, runningAsRoot: false }).createClient();
      const err = (await client.initialize().then(() => undefined, (e: unknown) => e)) as Error;
      expect(err.message).toMatch(/could not set up its sandbox/);
      expect(err.message).toContain('WHATSAPP_NO_SANDBOX=true');
      expect(err.stack).not.toMatch(/\n\s+at /);
      expect(existsSync(chromium.argsFile)).toBe(true);
      await client.destroy();
    }, 20_000);
  });
});
