import type { Logger } from '../logger';
import type { WhatsAppGateway } from './gateway';
import { renderQrTerminal } from './login-qr';

/** The part of a stream (process.stderr) the QR printer needs. */
export interface QrStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A printer for `stream` only if it is a terminal. Piped or redirected (a container's log driver,
 * a log shipper, a file), what is written is stored and forwarded — and the login QR is a
 * credential: whoever scans it links their phone to the team's WhatsApp.
 */
export function terminalPrinter(stream: QrStream): ((text: string) => void) | undefined {
  return stream.isTTY === true ? (text) => void stream.write(text) : undefined;
}

/**
 * Draws each login QR in the terminal the app runs in (stderr, so JSON logs on stdout stay clean):
 * the first login works even before a Slack admin channel is configured. With no terminal
 * (`print` undefined), one log line per wait says where to find the QR, never the QR itself.
 */
export function printLoginQrs(gateway: WhatsAppGateway, logger: Logger, print: ((text: string) => void) | undefined, options: { adminChannel?: string }): () => void {
  let announced = false;
  return gateway.on((event) => {
    if (event.type === 'state' && event.status.state !== 'qr') announced = false;
    if (event.type !== 'qr') return;
    if (print) {
      renderQrTerminal(event.qr).then(
        (drawing) => print(`\nScan with WhatsApp → Settings → Linked devices → Link a device:\n${drawing}\n`),
        (err: unknown) => logger.warn({ err }, 'could not draw the login QR'),
      );
      return;
    }
    // The QR rotates about every 20 s: one line per wait, not one per code.
    if (announced) return;
    announced = true;
    if (options.adminChannel) {
      logger.warn({ channel: options.adminChannel }, 'a WhatsApp login QR is waiting to be scanned: it is shown in the Slack admin channel (SLACK_ADMIN_CHANNEL) if that channel is private; stderr is not a terminal, so it is not printed here');
    } else {
      logger.warn('a WhatsApp login QR is waiting to be scanned, and it is shown nowhere: stderr is not a terminal (the QR is a credential, so it is never written to logs). Run the app in a terminal, or set SLACK_ADMIN_CHANNEL to a private channel with the bot in it');
    }
  });
}
