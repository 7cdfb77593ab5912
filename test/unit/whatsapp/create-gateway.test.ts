import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Document } from 'bson';
import { loadConfig } from '../../../src/config';
import type { LeaseRepository } from '../../../src/domain/lease';
import { createLogger } from '../../../src/logger';
import { createGateway } from '../../../src/whatsapp/create-gateway';
import type { GatewayStatus } from '../../../src/whatsapp/gateway';
import { FakeClient } from '../../support/fake-wwebjs-client';
import type { WwebjsClient } from '../../../src/whatsapp/wwebjs-client';
import { validEnv } from '../../support/env';

/** A lease this instance always holds: the test is about the client behind it. */
const alwaysHeld: LeaseRepository = {
  acquire: async (name, holder) => ({ name, holder, token: 1, expiresAt: new Date(Date.now() + 3_600_000) }),
  release: async () => {},
  isCurrent: async () => true,
};

function capturingLogger() {
  const logs: Document[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Document);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', pretty: false }, sink), logs };
}

/** Sandbox notices are logged where an operator reads them: the first lines at start. */
describe('createGateway and Chromium sandbox', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-gateway-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function build(env: Record<string, string>, runningAsRoot: boolean, createClient?: () => WwebjsClient) {
    const config = loadConfig(validEnv({ WHATSAPP_DATA_PATH: dataDir, CHROMIUM_PATH: join(dataDir, 'no-such-chromium'), ...env }));
    const { logger, logs } = capturingLogger();
    const gateway = createGateway({ config: config.whatsapp, clock: () => new Date(), logger, leases: alwaysHeld, runningAsRoot, ...(createClient ? { createClient } : {}) });
    return { gateway, logs };
  }
  const sandboxLines = (logs: Document[]) => logs.filter((l) => /sandbox/i.test(String(l.msg)));

  it('when WHATSAPP_NO_SANDBOX=true, then start-up warns that Chromium renders strangers\' content without its sandbox, and how to avoid it', () => {
    const { logs } = build({ WHATSAPP_NO_SANDBOX: 'true' }, true);
    const [line, ...more] = sandboxLines(logs);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 40, component: 'whatsapp' });
    expect(String(line!.msg)).toMatch(/without its sandbox.*strangers.*non-root user/s);
  });

  it('when the process is root and the sandbox is on, then start-up logs one error naming WHATSAPP_NO_SANDBOX and the non-root way', () => {
    const { logs } = build({}, true);
    const [line, ...more] = sandboxLines(logs);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 50, component: 'whatsapp' });
    expect(String(line!.msg)).toMatch(/non-root user.*WHATSAPP_NO_SANDBOX=true/s);
    expect(line!.err).toBeUndefined();
  });

  it('when a non-root process keeps the sandbox on, then nothing about the sandbox is logged', () => {
    expect(sandboxLines(build({ WHATSAPP_NO_SANDBOX: 'false' }, false).logs)).toEqual([]);
  });

  it('when the browser is scripted (no Chromium at all), then nothing about the sandbox is logged', () => {
    const fake = () => new FakeClient() as unknown as WwebjsClient;
    expect(sandboxLines(build({ WHATSAPP_NO_SANDBOX: 'true' }, true, fake).logs)).toEqual([]);
  });

  it('when root keeps the sandbox on and the gateway starts, then its state says why in one line, and the log holds no stack trace', async () => {
    const { gateway, logs } = build({}, true);
    const settled = new Promise<GatewayStatus>((resolve) =>
      gateway.on((e) => {
        if (e.type === 'state' && e.status.state !== 'starting') resolve(e.status);
      }),
    );
    await gateway.start();
    try {
      const status = await settled;
      expect(status.state).toBe('unreachable');
      expect(status.detail).toMatch(/will not start as root/);
      expect(status.detail).toContain('WHATSAPP_NO_SANDBOX=true');
      expect(status.detail).not.toContain('\n');
      expect(JSON.stringify(logs)).not.toMatch(/\\n\s+at /);
    } finally {
      await gateway.stop();
    }
  }, 20_000);
});
