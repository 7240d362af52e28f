import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config';
import { errorOf } from '../../../tests/helpers/error-of';
import type { ReportContent } from './report-content';
import { explainSmtpError, smtpSettingsFromEnv } from './smtp-sender';
import { INLINE_CSV_LIMIT, webhookBody } from './webhook-sender';

describe('SMTP settings from the environment', () => {
  it('defaults to STARTTLS on 587, implicit TLS on 465, and takes an explicit port', () => {
    expect(smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'mail.example.test' })).toEqual({
      host: 'mail.example.test',
      port: 587,
      tls: 'starttls',
    });
    expect(smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_TLS: 'tls' })).toEqual({ host: 'm', port: 465, tls: 'tls' });
    expect(
      smtpSettingsFromEnv({
        WASPEND_SMTP_HOST: 'm',
        WASPEND_SMTP_PORT: '2525',
        WASPEND_SMTP_TLS: 'none',
        WASPEND_SMTP_USER: 'u',
        WASPEND_SMTP_PASSWORD: 'p',
      }),
    ).toEqual({ host: 'm', port: 2525, tls: 'none', user: 'u', password: 'p' });
  });

  it.each([
    ['WASPEND_SMTP_HOST', {}, /must be set/],
    ['WASPEND_SMTP_TLS', { WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_TLS: 'ssl' }, /starttls, tls or none, got "ssl"/],
    ['WASPEND_SMTP_PORT', { WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PORT: '70000' }, /"70000" is not a port/],
    ['WASPEND_SMTP_PORT', { WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PORT: 'smtp' }, /"smtp" is not a port/],
    ['WASPEND_SMTP_PASSWORD', { WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_USER: 'u' }, /both/],
    ['WASPEND_SMTP_USER', { WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PASSWORD: 'p' }, /both/],
  ])('names %s when it is wrong', (field, env, reason) => {
    const e = errorOf(() => smtpSettingsFromEnv(env), ConfigError);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });

  it('reads empty variables as unset (docker compose passes every WASPEND_SMTP_* through, empty when not exported)', () => {
    const empty = {
      WASPEND_SMTP_PORT: '',
      WASPEND_SMTP_TLS: '',
      WASPEND_SMTP_USER: '',
      WASPEND_SMTP_PASSWORD: '',
      WASPEND_SMTP_CA_FILE: '',
    };
    expect(smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', ...empty })).toEqual({ host: 'm', port: 587, tls: 'starttls' });
    expect(errorOf(() => smtpSettingsFromEnv({ WASPEND_SMTP_HOST: '', ...empty }), ConfigError).field).toBe('WASPEND_SMTP_HOST');
  });

  describe('WASPEND_SMTP_CA_FILE', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-smtp-ca-'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

    it('is refused, naming the variable, when unreadable, without a certificate, with a broken one, or with TLS off', () => {
      const missing = path.join(dir, 'nope.pem');
      const cases: [NodeJS.ProcessEnv, RegExp][] = [
        [{ WASPEND_SMTP_CA_FILE: missing }, /^config WASPEND_SMTP_CA_FILE: cannot read ".*nope\.pem": ENOENT/],
        [
          { WASPEND_SMTP_CA_FILE: file('key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') },
          /holds no PEM certificate/,
        ],
        [
          { WASPEND_SMTP_CA_FILE: file('broken.pem', pem('bm90IGEgY2VydGlmaWNhdGU=')) },
          /^config WASPEND_SMTP_CA_FILE: certificate 1 in ".*broken\.pem" is not valid/,
        ],
        [{ WASPEND_SMTP_CA_FILE: missing, WASPEND_SMTP_TLS: 'none' }, /WASPEND_SMTP_TLS is none/],
      ];
      for (const [env, reason] of cases) {
        const e = errorOf(() => smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', ...env }), ConfigError);
        expect(e.field).toBe('WASPEND_SMTP_CA_FILE');
        expect(e.message).toMatch(reason);
      }
    });
  });

  it('explains a refused certificate and passes every other error through unchanged', () => {
    const settings = { host: 'mail.example.test', port: 587, tls: 'starttls' as const };
    const refused = Object.assign(new Error('certificate has expired'), { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' });
    expect(explainSmtpError(refused, settings).message).toBe(
      "SMTP server mail.example.test:587: TLS certificate refused (certificate has expired; CERT_HAS_EXPIRED): it is not signed for this host by the system's CAs. " +
        'For a private CA or a self-signed certificate, set WASPEND_SMTP_CA_FILE to its PEM file',
    );
    const withCa = { ...settings, ca: { file: '/etc/waspend/ca.pem', pem: '' } };
    expect(explainSmtpError(refused, withCa).message).toContain("by the system's CAs and WASPEND_SMTP_CA_FILE (/etc/waspend/ca.pem)");
    const rejected = Object.assign(new Error('550 mailbox unavailable'), { code: 'EENVELOPE', responseCode: 550 });
    expect(explainSmtpError(rejected, settings)).toBe(rejected);
  });

  it('never puts the password in an error', () => {
    const e = errorOf(() => smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PASSWORD: 'pw-5a5a5a' }), ConfigError);
    expect(e.message).not.toContain('pw-5a5a5a');
  });
});

describe('the webhook body', () => {
  const content = (csv: string): ReportContent => ({
    name: 'r',
    period: { from: '2026-04-01', to: '2026-04-30' },
    filename: 'r_2026-04-01_2026-04-30.csv',
    csv,
    rows: 1,
    subject: 's',
    summary: 'SUMMARY',
  });

  it('inlines a CSV up to the limit in a code block, and only names a longer one', () => {
    const small = 'a,b\r\n'.repeat(INLINE_CSV_LIMIT / 5);
    expect(small.length).toBe(INLINE_CSV_LIMIT);
    expect(webhookBody(content(small)).text).toBe(`SUMMARY\n\`\`\`\n${small}\`\`\``);
    const big = `${small}x`;
    expect(webhookBody(content(big)).text).toBe('SUMMARY\n(r_2026-04-01_2026-04-30.csv: 30001 characters, too long to show here)');
    expect((webhookBody(content(big)).waspend as { csv: string }).csv).toBe(big);
  });
});
