import { ConfigError } from '../config';
import type { ReportContent } from './report-content';
import { smtpSettingsFromEnv } from './smtp-sender';
import { INLINE_CSV_LIMIT, webhookBody } from './webhook-sender';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('SMTP settings from the environment', () => {
  it('defaults to STARTTLS on 587, implicit TLS on 465, and takes an explicit port', () => {
    expect(smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'mail.example.test' })).toEqual({ host: 'mail.example.test', port: 587, tls: 'starttls' });
    expect(smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_TLS: 'tls' })).toEqual({ host: 'm', port: 465, tls: 'tls' });
    expect(
      smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PORT: '2525', WASPEND_SMTP_TLS: 'none', WASPEND_SMTP_USER: 'u', WASPEND_SMTP_PASSWORD: 'p' }),
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
    const e = configErrorOf(() => smtpSettingsFromEnv(env));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });

  it('never puts the password in an error', () => {
    const e = configErrorOf(() => smtpSettingsFromEnv({ WASPEND_SMTP_HOST: 'm', WASPEND_SMTP_PASSWORD: 'pw-5a5a5a' }));
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
