import { Writable } from 'node:stream';
import type { Document } from 'bson';
import { createLogger } from '../../../src/logger';
import { printLoginQrs, terminalPrinter } from '../../../src/whatsapp/terminal-qr';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';

const QR = '2@SECRET-LOGIN-PAYLOAD,abc,def,ghi';

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


/** The login QR is a credential: it is drawn on a terminal only, never written into a log stream. */
describe('login QR on the terminal', () => {
  describe('terminalPrinter', () => {
    it('when the stream is a terminal, then the printer writes to it', () => {
      const written: string[] = [];
      const print = terminalPrinter({ isTTY: true, write: (text: string) => written.push(text) });
      print!('drawing');
      expect(written).toEqual(['drawing']);
    });

    it('when the stream is a pipe or a file (a log collector), then there is no printer', () => {
      const write = jest.fn();
      expect(terminalPrinter({ isTTY: false, write })).toBeUndefined();
      expect(terminalPrinter({ write })).toBeUndefined();
      expect(write).not.toHaveBeenCalled();
    });
  });

  describe('printLoginQrs', () => {
    it('when there is a terminal, then each QR is drawn on it', async () => {
      const gateway = new FakeWhatsAppGateway(undefined, 'starting');
      const { logger } = capturingLogger();
      const lines: string[] = [];
      let drawn: () => void;
      const twoDrawn = new Promise<void>((resolve) => (drawn = resolve));
      const stop = printLoginQrs(gateway, logger, (text) => lines.push(text) === 2 && drawn(), {});
      gateway.setState('qr');
      gateway.emit({ type: 'qr', qr: QR });
      gateway.emit({ type: 'qr', qr: `${QR}-2` });
      await twoDrawn;
      stop();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/Linked devices/);
      expect(lines[0]).toMatch(/[▀▄█]/);
    });

    it('when there is no terminal and no admin channel, then one line per wait says a QR is waiting and to run in a terminal — without the QR', async () => {
      const gateway = new FakeWhatsAppGateway(undefined, 'starting');
      const { logger, logs } = capturingLogger();
      const stop = printLoginQrs(gateway, logger, undefined, {});
      gateway.setState('qr');
      gateway.emit({ type: 'qr', qr: QR });
      gateway.emit({ type: 'qr', qr: `${QR}-2` });
      const waiting = logs.filter((l) => /QR is waiting/.test(String(l.msg)));
      expect(waiting).toHaveLength(1);
      expect(String(waiting[0]!.msg)).toMatch(/terminal/);
      expect(String(waiting[0]!.msg)).toMatch(/SLACK_ADMIN_CHANNEL/);
      expect(JSON.stringify(logs)).not.toContain('SECRET-LOGIN-PAYLOAD');

      // Scanned, later logged out: a new wait is announced again.
      gateway.setState('connected');
      gateway.setState('qr');
      gateway.emit({ type: 'qr', qr: `${QR}-3` });
      stop();
      expect(logs.filter((l) => /QR is waiting/.test(String(l.msg)))).toHaveLength(2);
      expect(JSON.stringify(logs)).not.toContain('SECRET-LOGIN-PAYLOAD');
    });

    it('when there is no terminal but an admin channel, then the line points to that channel — without the QR', async () => {
      const gateway = new FakeWhatsAppGateway(undefined, 'starting');
      const { logger, logs } = capturingLogger();
      const stop = printLoginQrs(gateway, logger, undefined, { adminChannel: 'G0ADMIN01' });
      gateway.setState('qr');
      gateway.emit({ type: 'qr', qr: QR });
      stop();
      const waiting = logs.filter((l) => /QR is waiting/.test(String(l.msg)));
      expect(waiting).toHaveLength(1);
      expect(String(waiting[0]!.msg)).toMatch(/admin channel/);
      expect(waiting[0]!.channel).toBe('G0ADMIN01');
      expect(JSON.stringify(logs)).not.toContain('SECRET-LOGIN-PAYLOAD');
    });
  });
});
