import { createHmac } from 'node:crypto';
import { signBody, verifySignature } from './verify-signature';

describe('verifySignature', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const good = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the raw body', () => {
    expect(verifySignature(body, good, 's3cret')).toBe(true);
    expect(signBody(body, 's3cret')).toBe(good);
  });

  it('rejects another secret, a changed body, a missing or malformed header', () => {
    expect(verifySignature(body, good, 'other')).toBe(false);
    expect(verifySignature(Buffer.from(`${body.toString()} `), good, 's3cret')).toBe(false);
    expect(verifySignature(body, undefined, 's3cret')).toBe(false);
    expect(verifySignature(body, good.slice(0, -2), 's3cret')).toBe(false);
    expect(verifySignature(body, good.replace('sha256=', 'sha1='), 's3cret')).toBe(false);
  });
});
