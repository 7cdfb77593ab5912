import type { Logger } from '../logger';
import type { WhatsAppGateway } from './gateway';
import { renderQrTerminal } from './login-qr';

/**
 * Draws each login QR in the terminal the app runs in (stderr, so JSON logs on stdout stay clean):
 * the first login works even before a Slack admin channel is configured.
 */
export function printLoginQrs(gateway: WhatsAppGateway, logger: Logger, print: (text: string) => void): () => void {
  return gateway.on((event) => {
    if (event.type !== 'qr') return;
    renderQrTerminal(event.qr).then(
      (drawing) => print(`\nScan with WhatsApp → Settings → Linked devices → Link a device:\n${drawing}\n`),
      (err: unknown) => logger.warn({ err }, 'could not draw the login QR'),
    );
  });
}
