/**
 * `waspend report --by X` for every dimension the CLI accepts (issue 11 item 7): each dimension named
 * is filled in on every row, and each grouping adds up to the ungrouped report, column by column and
 * per currency. First on a demo store generated at a fixed instant, then on a hand-made store where
 * two countries of one market must come back as two rows with figures worked out by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { makeTempDir } from '../helpers/reliability-config';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { reportRows, sumDecimals } from '../reliability/report-totals';
import { DEMO_WABAS } from '../../src/connector/demo';
import { REPORT_DIMENSIONS } from '../../src/connector/query';
import { postAcknowledged } from '../helpers/post-webhook';

jest.setTimeout(240_000);

type Row = {
  day: string | null;
  waba: string | null;
  phone_number_id: string | null;
  country: string | null;
  market: string | null;
  category: string | null;
  pricing_type: string | null;
  messages: number;
  billable: number;
  cost: string | null;
  currency: string;
};

/** The column each `--by` value fills (README "waspend report"). */
const COLUMN: Record<string, (keyof Row)[]> = {
  day: ['day'],
  category: ['category'],
  country: ['country', 'market'],
  market: ['market'],
  phone: ['phone_number_id'],
  pricing_type: ['pricing_type'],
  waba: ['waba'],
};
const GROUP_COLUMNS: (keyof Row)[] = ['day', 'waba', 'phone_number_id', 'country', 'market', 'category', 'pricing_type'];

function totalsByCurrency(rows: Row[]): Record<string, { messages: number; billable: number; cost: string }> {
  const out: Record<string, { messages: number; billable: number; costs: (string | null)[] }> = {};
  for (const r of rows) {
    const t = (out[r.currency] ??= { messages: 0, billable: 0, costs: [] });
    t.messages += r.messages;
    t.billable += r.billable;
    t.costs.push(r.cost);
  }
  return Object.fromEntries(
    Object.entries(out).map(([c, t]) => [c, { messages: t.messages, billable: t.billable, cost: sumDecimals(t.costs) }]),
  );
}

describe('waspend report --by on the demo store', () => {
  let dir: string;
  let db: string;
  let config: string;

  beforeAll(async () => {
    dir = makeTempDir('report-dims');
    db = `sqlite:${path.join(dir, 'demo.sqlite')}`;
    config = path.join(dir, 'waspend.yaml');
    fs.writeFileSync(
      config,
      stringify({
        apiToken: 'report-dims-token-0123456789',
        wabas: DEMO_WABAS.map((w) => ({ id: w.id, name: w.name, timezone: w.timezone, currency: w.currency, portfolio: w.portfolio })),
      }),
    );
    await runCli(['demo', '--db', db, '--days', '4', '--as-of', '2026-11-20T15:00:00Z', '--seed', 'report-dims'], {}, 200_000);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = async (by: string) =>
    reportRows(
      await runCli([
        'report',
        '--from',
        '2026-11-17',
        '--to',
        '2026-11-20',
        '--by',
        by,
        '--format',
        'json',
        '--config',
        config,
        '--db',
        db,
      ]),
    ) as unknown as Row[];

  let ungrouped: Promise<Row[]>;
  beforeAll(() => {
    ungrouped = report('');
  });

  it('accepts exactly the documented dimensions', () => {
    expect([...REPORT_DIMENSIONS].sort()).toEqual(Object.keys(COLUMN).sort());
  });

  it.each(Object.keys(COLUMN))('--by %s fills the column on every row and adds up to the ungrouped totals', async (dim) => {
    const [all, grouped] = await Promise.all([ungrouped, report(dim)]);
    // One row per currency without dimensions: the three demo WABAs bill in BRL, INR and EUR.
    expect(all.map((r) => r.currency).sort()).toEqual(['BRL', 'EUR', 'INR']);
    expect(all.every((r) => r.messages > 0 && r.billable > 0 && r.cost !== null)).toBe(true);
    for (const col of COLUMN[dim] as (keyof Row)[]) {
      expect(grouped.filter((r) => r[col] === null || r[col] === '')).toEqual([]);
      // A real split: more than one value in the demo (3 WABAs, several numbers, countries, days, categories).
      expect(new Set(grouped.map((r) => r[col])).size).toBeGreaterThan(1);
    }
    // Columns not asked for stay empty.
    const others = GROUP_COLUMNS.filter((c) => !(COLUMN[dim] as (keyof Row)[]).includes(c));
    expect(grouped.filter((r) => others.some((c) => r[c] !== null))).toEqual([]);
    // No two rows with the same key.
    const keys = grouped.map((r) => [...GROUP_COLUMNS.map((c) => r[c]), r.currency].join('|'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(totalsByCurrency(grouped)).toEqual(totalsByCurrency(all));
  });

  it('--by with every dimension at once adds up to the ungrouped totals', async () => {
    const [all, grouped] = await Promise.all([ungrouped, report(REPORT_DIMENSIONS.join(','))]);
    for (const col of GROUP_COLUMNS) expect(grouped.filter((r) => r[col] === null)).toEqual([]);
    expect(totalsByCurrency(grouped)).toEqual(totalsByCurrency(all));
  });
});

describe('waspend report --by country within one market (hand-computed)', () => {
  const TOKEN = 'report-dims-token-0123456789';
  const WABA = '777000111';
  const PHONE = '5550002222';
  let dir: string;
  let db: string;
  let config: string;
  let connector: ConnectorProcess | null = null;

  const delivered = (id: string, to: string, at: string, category: string) =>
    envelopeWithStatuses({ waba: WABA, phone: PHONE, display: '15550002222' }, [
      {
        id,
        status: 'delivered',
        timestamp: String(Date.parse(at) / 1000),
        recipient_id: to,
        conversation: { id: `conv-${id}`, origin: { type: category } },
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category },
      },
    ]);

  beforeAll(async () => {
    dir = makeTempDir('report-dims-hand');
    db = `sqlite:${path.join(dir, 'w.sqlite')}`;
    config = path.join(dir, 'waspend.yaml');
    fs.writeFileSync(
      config,
      stringify({ apiToken: TOKEN, wabas: [{ id: WABA, name: 'Hand', timezone: 'America/New_York', currency: 'USD', portfolio: 'PH' }] }),
    );
    const card = path.join(REPO_ROOT, 'tests', 'fixtures', 'ratecards', 'usd-rates-2026-04-invented.csv');
    await runCli(['rates', 'import', card, '--effective', '2026-04-01', '--db', db]);
    connector = await startConnector({ db, config });
    // Two marketing templates to the US and one to Canada (both in Meta's "North America" market),
    // one utility template to Canada; all on 2026-05-05 in New York.
    const bodies = [
      delivered('wamid.us1', '12125550101', '2026-05-05T14:00:00Z', 'marketing'),
      delivered('wamid.us2', '13105550102', '2026-05-05T15:00:00Z', 'marketing'),
      delivered('wamid.ca1', '14165550103', '2026-05-05T16:00:00Z', 'marketing'),
      delivered('wamid.ca2', '16045550104', '2026-05-05T17:00:00Z', 'utility'),
    ];
    for (const body of bodies) {
      await postAcknowledged(connector.url, body);
    }
  });
  afterAll(async () => {
    await connector?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = async (by: string) =>
    reportRows(
      await runCli([
        'report',
        '--from',
        '2026-05-01',
        '--to',
        '2026-05-31',
        '--by',
        by,
        '--format',
        'json',
        '--config',
        config,
        '--db',
        db,
      ]),
    ) as unknown as Row[];

  it('gives one row per country, not per market', async () => {
    // Fixture card 2026-04 (USD): North America marketing 0.0250, utility 0.0034.
    // US: 2 x 0.0250 = 0.05. CA: 0.0250 + 0.0034 = 0.0284.
    const rows = await report('country');
    expect(rows.map((r) => ({ country: r.country, market: r.market, messages: r.messages, billable: r.billable, cost: r.cost }))).toEqual([
      { country: 'CA', market: 'North America', messages: 2, billable: 2, cost: '0.0284' },
      { country: 'US', market: 'North America', messages: 2, billable: 2, cost: '0.05' },
    ]);
    // By market the two countries are one row: 3 x 0.0250 + 0.0034 = 0.0784.
    expect((await report('market')).map((r) => [r.market, r.country, r.messages, r.cost])).toEqual([['North America', null, 4, '0.0784']]);
  });

  it('gives the phone number and the country together', async () => {
    const rows = await report('phone,country,category');
    expect(rows.map((r) => [r.phone_number_id, r.country, r.category, r.messages, r.cost])).toEqual([
      [PHONE, 'CA', 'marketing', 1, '0.025'],
      [PHONE, 'CA', 'utility', 1, '0.0034'],
      [PHONE, 'US', 'marketing', 2, '0.05'],
    ]);
  });
});
