import { ConfigError, parseConfig } from './load-config';
import { errorOf } from '../../../tests/helpers/error-of';

const base = `
apiToken: \${TOKEN}
webhooks: { appSecret: "\${SECRET:-fallback-secret}" }
wabas:
  - { id: 123, name: Shop, timezone: America/Sao_Paulo, currency: BRL, portfolio: P1, monthlyBudget: 100 }
`;

describe('connector config', () => {
  it('expands ${ENV} and ${ENV:-default} in values and coerces numeric ids to strings', () => {
    const c = parseConfig(base, { TOKEN: 'a-long-enough-api-token' });
    expect(c.apiToken).toBe('a-long-enough-api-token');
    expect(c.webhooks?.appSecret).toBe('fallback-secret');
    expect(c.wabas[0]).toMatchObject({ id: '123', portfolio: 'P1', monthlyBudget: 100 });
  });

  it('names a missing environment variable with the key that needs it', () => {
    const e = errorOf(() => parseConfig(base, {}), ConfigError);
    expect(e.field).toBe('apiToken');
    expect(e.message).toContain('TOKEN');
  });

  it('does not let a secret containing YAML syntax change the document', () => {
    const c = parseConfig(base, { TOKEN: 'x: y\n  - evil: [1]' + 'z'.repeat(10) });
    expect(c.apiToken).toBe('x: y\n  - evil: [1]zzzzzzzzzz');
  });

  it.each([
    ['wabas[0].timezone', base.replace('America/Sao_Paulo', 'Mars/Olympus')],
    ['wabas[0].currency', base.replace('BRL', 'reais')],
    ['wabas[0].monthlyBudget', base.replace('100', '-5')],
    ['webhooks.appSecert', base.replace('appSecret', 'appSecert')],
    ['wabas', base.replace(/wabas:[\s\S]*/, 'wabas: []')],
    ['apiToken', base.replace('${TOKEN}', 'short')],
  ])('rejects %s with its path', (field, text) => {
    expect(errorOf(() => parseConfig(text, { TOKEN: 'a-long-enough-api-token' }), ConfigError).field).toBe(field);
  });

  it('rejects duplicate WABA ids and invalid YAML', () => {
    const dup = base + '  - { id: "123", name: Again, timezone: UTC, currency: USD, portfolio: P2 }\n';
    expect(errorOf(() => parseConfig(dup, { TOKEN: 'a-long-enough-api-token' }), ConfigError).field).toBe('wabas[1].id');
    expect(errorOf(() => parseConfig('wabas: [', {}), ConfigError).message).toContain('invalid YAML');
  });

  describe('a dated billing currency', () => {
    const dated = (list: string) => base.replace('currency: BRL', `currency: ${list}`);
    const env = { TOKEN: 'a-long-enough-api-token' };

    it('accepts the plain code and a list of { from, code } with unquoted YAML days', () => {
      expect(parseConfig(base, env).wabas[0]?.currency).toBe('BRL');
      const c = parseConfig(dated('[{ from: 2025-01-01, code: USD }, { from: 2026-12-01, code: INR }]'), env);
      expect(c.wabas[0]?.currency).toEqual([
        { from: '2025-01-01', code: 'USD' },
        { from: '2026-12-01', code: 'INR' },
      ]);
    });

    it.each([
      ['wabas[0].currency[1].from', '[{ from: 2026-12-01, code: USD }, { from: 2025-01-01, code: INR }]', 'must be after 2026-12-01'],
      ['wabas[0].currency[1].from', '[{ from: 2026-12-01, code: USD }, { from: 2026-12-01, code: INR }]', 'must be after 2026-12-01'],
      ['wabas[0].currency[0].from', '[{ from: 2026-02-30, code: USD }]', 'YYYY-MM-DD'],
      ['wabas[0].currency[0].from', '[{ code: USD }]', ''],
      ['wabas[0].currency[1].code', '[{ from: 2025-01-01, code: USD }, { from: 2026-12-01, code: inr }]', 'ISO 4217'],
      ['wabas[0].currency[0].frm', '[{ frm: 2025-01-01, code: USD }]', 'unknown key'],
      ['wabas[0].currency', '[]', 'at least one'],
      ['wabas[0].currency', '42', 'ISO 4217 code or a list'],
    ])('rejects %s (%s)', (field, list, message) => {
      const e = errorOf(() => parseConfig(dated(list), env), ConfigError);
      expect(e.field).toBe(field);
      expect(e.message).toContain(message);
    });
  });
});
