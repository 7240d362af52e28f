import { ConfigError, parseConfig } from './load-config';

const base = `
apiToken: \${TOKEN}
webhooks: { appSecret: "\${SECRET:-fallback-secret}" }
wabas:
  - { id: 123, name: Shop, timezone: America/Sao_Paulo, currency: BRL, portfolio: P1, monthlyBudget: 100 }
`;

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('connector config', () => {
  it('expands ${ENV} and ${ENV:-default} in values and coerces numeric ids to strings', () => {
    const c = parseConfig(base, { TOKEN: 'a-long-enough-api-token' });
    expect(c.apiToken).toBe('a-long-enough-api-token');
    expect(c.webhooks?.appSecret).toBe('fallback-secret');
    expect(c.wabas[0]).toMatchObject({ id: '123', portfolio: 'P1', monthlyBudget: 100 });
  });

  it('names a missing environment variable with the key that needs it', () => {
    const e = errorOf(() => parseConfig(base, {}));
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
    expect(errorOf(() => parseConfig(text, { TOKEN: 'a-long-enough-api-token' })).field).toBe(field);
  });

  it('rejects duplicate WABA ids and invalid YAML', () => {
    const dup = base + '  - { id: "123", name: Again, timezone: UTC, currency: USD, portfolio: P2 }\n';
    expect(errorOf(() => parseConfig(dup, { TOKEN: 'a-long-enough-api-token' })).field).toBe('wabas[1].id');
    expect(errorOf(() => parseConfig('wabas: [', {})).message).toContain('invalid YAML');
  });
});
