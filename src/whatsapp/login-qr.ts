import QRCode from 'qrcode';

/** The login QR as a PNG, rendered locally: the code is a credential and never goes to a web service. */
export function renderQrPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { type: 'png', width: 512, margin: 2, errorCorrectionLevel: 'M' });
}

/** The login QR drawn with block characters, for the terminal the app was started from. */
export function renderQrTerminal(qr: string): Promise<string> {
  return QRCode.toString(qr, { type: 'terminal', small: true });
}
