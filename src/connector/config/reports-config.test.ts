import { ConfigError, parseConfig } from './load-config';
import { errorOf } from '../../../tests/helpers/error-of';

const ENV = { TOKEN: 'a-long-enough-api-token', HOOK: 'https://hooks.example.test/services/T000/B000/XXXX' };

const withReports = (reports: string) => `
apiToken: \${TOKEN}
wabas:
  - { id: 123, name: Shop, timezone: America/Sao_Paulo, currency: BRL, portfolio: P1 }
reports:
${reports}`;

const monthly = `
  finance-monthly:
    schedule: { cron: "0 7 1 * *", timezone: America/Sao_Paulo }
    report: { by: "waba,category", range: last_month }
    format: csv
    recipients: [finance@example.com, cfo@example.com]
    smtp: { from: "waspend <reports@example.com>" }
  weekly-slack:
    schedule: { cron: "30 8 * * 1", timezone: Asia/Kolkata }
    report: { by: [day, category], range: last_7_days, source: meta, waba: [123] }
    webhook: { url: "\${HOOK}" }
`;

describe('reports: in the connector config', () => {
  it('reads named reports with their schedule, report, format and delivery', () => {
    const c = parseConfig(withReports(monthly), ENV);
    expect(c.reports).toEqual({
      'finance-monthly': {
        schedule: { cron: '0 7 1 * *', timezone: 'America/Sao_Paulo' },
        report: { by: ['waba', 'category'], range: { kind: 'last_month' }, source: 'estimate' },
        format: 'csv',
        recipients: ['finance@example.com', 'cfo@example.com'],
        smtp: { from: 'waspend <reports@example.com>' },
      },
      'weekly-slack': {
        schedule: { cron: '30 8 * * 1', timezone: 'Asia/Kolkata' },
        report: { by: ['day', 'category'], range: { kind: 'last_days', days: 7 }, source: 'meta', waba: ['123'] },
        format: 'csv',
        webhook: { url: ENV.HOOK },
      },
    });
  });

  it('defaults the grouping to day,category like `waspend report`, and accepts month_to_date', () => {
    const c = parseConfig(
      withReports(`
  mtd:
    schedule: { cron: "0 6 * * *", timezone: UTC }
    report: { range: month_to_date }
    webhook: { url: "http://127.0.0.1:9/hook" }
`),
      ENV,
    );
    expect(c.reports?.mtd?.report).toEqual({ by: ['day', 'category'], range: { kind: 'month_to_date' }, source: 'estimate' });
  });

  it('takes an empty grouping as totals only, like `waspend report --by ""`', () => {
    const c = parseConfig(
      withReports(`
  totals:
    schedule: { cron: "0 6 * * *", timezone: UTC }
    report: { range: last_1_days, by: "" }
    webhook: { url: "http://127.0.0.1:9/hook" }
  totals-list:
    schedule: { cron: "0 6 * * *", timezone: UTC }
    report: { range: last_1_days, by: [] }
    webhook: { url: "http://127.0.0.1:9/hook" }
`),
      ENV,
    );
    expect(c.reports?.totals?.report.by).toEqual([]);
    expect(c.reports?.['totals-list']?.report.by).toEqual([]);
  });

  const one = (body: string) => withReports(`  r1:\n${body.replace(/^/gm, '    ')}\n`);
  const good = {
    schedule: 'schedule: { cron: "0 7 1 * *", timezone: UTC }',
    report: 'report: { range: last_month }',
    delivery: 'recipients: [a@example.com]\nsmtp: { from: r@example.com }',
  };
  const variant = (over: Partial<typeof good>) => one(Object.values({ ...good, ...over }).join('\n'));

  it.each([
    ['reports.r1.schedule.cron', variant({ schedule: 'schedule: { cron: "61 * * * *", timezone: UTC }' }), /minute/],
    ['reports.r1.schedule.cron', variant({ schedule: 'schedule: { cron: "every monday", timezone: UTC }' }), /cron/],
    ['reports.r1.schedule.timezone', variant({ schedule: 'schedule: { cron: "0 7 * * *", timezone: Mars/Olympus }' }), /IANA/],
    ['reports.r1.schedule.timezone', variant({ schedule: 'schedule: { cron: "0 7 * * *" }' }), /./],
    ['reports.r1.report.range', variant({ report: 'report: { range: last_quarter }' }), /last_N_days/],
    ['reports.r1.report.range', variant({ report: 'report: { range: last_0_days }' }), /1 to 366/],
    ['reports.r1.report.by', variant({ report: 'report: { range: last_month, by: "day,colour" }' }), /"colour" is not one of/],
    ['reports.r1.report.waba[0]', variant({ report: 'report: { range: last_month, waba: [999] }' }), /999 is not configured/],
    ['reports.r1.format', variant({ report: 'report: { range: last_month }\nformat: xlsx' }), /csv/],
    ['reports.r1.recipients[0]', variant({ delivery: 'recipients: [finance]\nsmtp: { from: r@example.com }' }), /e-mail/],
    ['reports.r1.recipients', variant({ delivery: 'smtp: { from: r@example.com }' }), /required with smtp/],
    ['reports.r1.smtp', variant({ delivery: 'recipients: [a@example.com]' }), /exactly one delivery/],
    [
      'reports.r1.smtp',
      variant({ delivery: 'recipients: [a@example.com]\nsmtp: { from: r@example.com }\nwebhook: { url: "https://x.test/h" }' }),
      /exactly one delivery/,
    ],
    ['reports.r1.webhook.url', variant({ delivery: 'webhook: { url: "ftp://x.test/h" }' }), /http/],
    [
      'reports.r1.smtp.password',
      variant({ delivery: 'recipients: [a@example.com]\nsmtp: { from: r@example.com, password: x }' }),
      /unknown key/,
    ],
  ])('rejects %s with its path and a reason', (field, text, reason) => {
    const e = errorOf(() => parseConfig(text, ENV), ConfigError);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });

  it('rejects a report name that cannot be a metric label or a command argument', () => {
    const e = errorOf(() => parseConfig(withReports(monthly.replace('finance-monthly', '"finance monthly"')), ENV), ConfigError);
    expect(e.field).toBe('reports.finance monthly');
  });
});
