import { createHmac } from 'node:crypto';
import { verifyWebhookSignature } from '../../../../src/whatsapp/cloud/webhook-signature';

const secret = 'app-secret-123';
const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}');
const sign = (body: Buffer | string, key = secret) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

describe('X-Hub-Signature-256 check', () => {
  it('when the header is the HMAC-SHA256 of the raw bytes with the app secret, then it is accepted', () => {
    expect(verifyWebhookSignature(raw, sign(raw), secret)).toBe(true);
  });

  it('when the hex digest is in upper case, then it is still accepted (hex is case-insensitive)', () => {
    const header = sign(raw);
    expect(verifyWebhookSignature(raw, `sha256=${header.slice(7).toUpperCase()}`, secret)).toBe(true);
  });

  it('when the same JSON is re-serialised with different whitespace, then the signature of the original no longer matches', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString()), null, 2));
    expect(reserialised.equals(raw)).toBe(false);
    expect(verifyWebhookSignature(reserialised, sign(raw), secret)).toBe(false);
  });

  it('when the body is signed with another secret, then it is refused', () => {
    expect(verifyWebhookSignature(raw, sign(raw, 'other-secret'), secret)).toBe(false);
  });

  it('when one byte of the body changed, then it is refused', () => {
    const tampered = Buffer.from(raw);
    tampered[tampered.length - 2] = 0x20;
    expect(verifyWebhookSignature(tampered, sign(raw), secret)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the sha256= prefix', sign(raw).slice(7)],
    ['with the old sha1= prefix', `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}`],
    ['too short', sign(raw).slice(0, -2)],
    ['too long', `${sign(raw)}00`],
    ['not hex', `sha256=${'z'.repeat(64)}`],
    ['given twice (an array of headers)', [sign(raw), sign(raw)]],
  ])('when the header is %s, then it is refused', (_label, header) => {
    expect(verifyWebhookSignature(raw, header, secret)).toBe(false);
  });

  it('when the app secret is empty, then nothing is accepted (a misconfiguration must not open the door)', () => {
    expect(verifyWebhookSignature(raw, sign(raw, ''), '')).toBe(false);
  });
});
