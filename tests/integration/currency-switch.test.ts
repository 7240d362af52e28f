/**
 * A WABA moved by Meta's currency migration (issue 11 item 5), end to end: `waspend serve` and
 * `waspend rates import` (a USD card and an INR card) as child processes on SQLite and PostgreSQL,
 * webhooks in Meta's status shape, then `waspend report`, /api/v1 and /metrics. Each WABA-local day is
 * priced with the card of the currency in force that day, and no figure adds two currencies.
 * Expected costs are worked out by hand from the two cards below.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { BOTH_STORES } from '../helpers/both-stores';
import { createCliWorkspace, importRateCards, rateCardFixture, type CliWorkspace } from '../helpers/cli-workspace';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { reportRows } from '../reliability/report-totals';
import { postAcknowledged } from '../helpers/post-webhook';

jest.setTimeout(180_000);

const TOKEN = 'currency-switch-token-0123456789';
/** Switches USD -> INR on the 1st (as Meta's migration does). */
const WABA_A = '4400110001';
/** Switches USD -> INR mid-month: December shows both currencies. */
const WABA_B = '4400110002';
const PHONE_A = '5550003333';
const PHONE_B = '5550004444';
const IN = '919876543210';

// Fixture card 2026-04 (USD), India: marketing 0.0131, utility 0.0014.
const USD_CARD = rateCardFixture('usd-rates-2026-04-invented.csv');
// An INVENTED INR card in Meta's layout, India: marketing 1.0900, utility 0.1450.
const INR_CARD = [
  'Cost per message in INR',
  'Market,Currency,Marketing,Utility,Authentication,"Authentication-',
  'International",Service',
  'India,INR,1.0900,0.1450,0.1450,2.3000,n/a',
  'Other,INR,4.9800,0.6400,0.6400,4.5600,n/a',
  '',
].join('\n');

const delivered = (waba: string, phone: string, id: string, at: string, category: string) =>
  JSON.stringify(
    envelopeWithStatuses({ waba, phone, display: `1${phone}` }, [
      {
        id,
        status: 'delivered',
        timestamp: String(Date.parse(at) / 1000),
        recipient_id: IN,
        conversation: { id: `conv-${id}`, origin: { type: category } },
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category },
      },
    ]),
  );

// Asia/Kolkata is UTC+5:30: 18:29:59Z is 23:59:59 on the same day, 18:30Z is 00:00 of the next.
const BODIES = [
  // WABA A, 2026-11-30 (USD): 2 marketing + 1 utility.
  delivered(WABA_A, PHONE_A, 'wamid.a1', '2026-11-30T06:00:00Z', 'marketing'),
  delivered(WABA_A, PHONE_A, 'wamid.a2', '2026-11-30T12:00:00Z', 'utility'),
  delivered(WABA_A, PHONE_A, 'wamid.a3', '2026-11-30T18:29:59Z', 'marketing'),
  // WABA A, 2026-12-01 (INR): 1 marketing + 2 utility; the first is 00:00:00 local.
  delivered(WABA_A, PHONE_A, 'wamid.a4', '2026-11-30T18:30:00Z', 'marketing'),
  delivered(WABA_A, PHONE_A, 'wamid.a5', '2026-12-01T05:00:00Z', 'utility'),
  delivered(WABA_A, PHONE_A, 'wamid.a6', '2026-12-01T09:00:00Z', 'utility'),
  // WABA B, 2026-12-14 (USD): 1 marketing; 2026-12-15 (INR): 1 marketing + 1 utility.
  delivered(WABA_B, PHONE_B, 'wamid.b1', '2026-12-14T10:00:00Z', 'marketing'),
  delivered(WABA_B, PHONE_B, 'wamid.b2', '2026-12-15T10:00:00Z', 'marketing'),
  delivered(WABA_B, PHONE_B, 'wamid.b3', '2026-12-15T11:00:00Z', 'utility'),
];

// By hand:
// A 2026-11-30 USD: 2 x 0.0131 + 0.0014 = 0.0276      A 2026-12-01 INR: 1.0900 + 2 x 0.1450 = 1.38
// B 2026-12-14 USD: 0.0131                            B 2026-12-15 INR: 1.0900 + 0.1450 = 1.235
const A_NOV = { currency: 'USD', messages: 3, billable: 3, cost: '0.0276' };
const A_DEC = { currency: 'INR', messages: 3, billable: 3, cost: '1.38' };
const B_USD = { currency: 'USD', messages: 1, billable: 1, cost: '0.0131' };
const B_INR = { currency: 'INR', messages: 2, billable: 2, cost: '1.235' };

// A missing PostgreSQL skips its tests with the reason in their names (fails under CI=true); jest runs no
// beforeAll for a block whose tests are all skipped.

type Row = { day: string | null; waba: string | null; currency: string; messages: number; billable: number; cost: string | null };

describe.each(BOTH_STORES)('a WABA switching currency, on $title', (engine) => {
  const maybe = engine.it;
  let workspace: CliWorkspace | undefined;
  let db: string;
  let config: string;
  let connector: ConnectorProcess | null = null;

  beforeAll(async () => {
    // Written as a user would: unquoted YAML days.
    workspace = await createCliWorkspace(
      engine,
      'currency-switch',
      [
        stringify({ apiToken: TOKEN }),
        'wabas:',
        `  - { id: "${WABA_A}", name: Switch on the 1st, timezone: Asia/Kolkata, portfolio: P1, monthlyBudget: 5000,`,
        '      currency: [{ from: 2025-01-01, code: USD }, { from: 2026-12-01, code: INR }] }',
        `  - { id: "${WABA_B}", name: Switch mid-month, timezone: Asia/Kolkata, portfolio: P2,`,
        '      currency: [{ from: 2025-01-01, code: USD }, { from: 2026-12-15, code: INR }] }',
        '',
      ].join('\n'),
    );
    ({ db, config } = workspace);
    const inr = path.join(workspace.dir, 'inr-rates-invented.csv');
    fs.writeFileSync(inr, INR_CARD);
    await importRateCards(db, [
      [USD_CARD, '2026-04-01'],
      [inr, '2026-10-01'],
    ]);
    // The clock pinned after the mid-month switch, so /metrics shows WABA B's December in both currencies.
    connector = await startConnector({ db, config, env: { WASPEND_DEMO_AS_OF: '2026-12-20T12:00:00Z' } });
    for (const body of BODIES) {
      await postAcknowledged(connector.url, body);
    }
  });

  afterAll(async () => {
    await connector?.stop();
    await workspace?.remove();
  });

  const report = async (by: string, waba: string, from = '2026-11-01', to = '2026-12-31') =>
    reportRows(
      await runCli(['report', '--from', from, '--to', to, '--by', by, '--waba', waba, '--format', 'json', '--config', config, '--db', db]),
    ) as unknown as Row[];
  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${(connector as ConnectorProcess).url}/api/v1/${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const pick = (r: Row) => ({ currency: r.currency, messages: r.messages, billable: r.billable, cost: r.cost });

  maybe('reports the two days of a switch on the 1st as one USD row and one INR row', async () => {
    expect((await report('', WABA_A)).map(pick)).toEqual([A_DEC, A_NOV]);
    const byDay = await report('day', WABA_A);
    expect(byDay.map((r) => ({ day: r.day, ...pick(r) }))).toEqual([
      { day: '2026-11-30', ...A_NOV },
      { day: '2026-12-01', ...A_DEC },
    ]);
  });

  maybe('shows both currencies in the month of a mid-month switch, never added together', async () => {
    expect((await report('', WABA_B, '2026-12-01', '2026-12-31')).map(pick)).toEqual([B_INR, B_USD]);
    const month = await api<{ rows: { bucket: string; currency: string; messages: number; billable: number; cost: string }[] }>(
      `usage?from=2026-12-01&to=2026-12-31&interval=month&waba=${WABA_B}`,
    );
    expect(
      month.rows.map((r) => ({ bucket: r.bucket, currency: r.currency, messages: r.messages, billable: r.billable, cost: r.cost })),
    ).toEqual([
      { bucket: '2026-12', ...B_INR },
      { bucket: '2026-12', ...B_USD },
    ]);
  });

  maybe('labels the query API series, the WABA list and the reconciliation with the currency of each day', async () => {
    const byWaba = await api<{ rows: { bucket: string; wabaId: string; currency: string; cost: string }[] }>(
      'usage?from=2026-11-01&to=2026-12-31&interval=month&by=waba',
    );
    expect(byWaba.rows.map((r) => [r.bucket, r.wabaId, r.currency, r.cost])).toEqual([
      ['2026-11', WABA_A, 'USD', A_NOV.cost],
      ['2026-12', WABA_A, 'INR', A_DEC.cost],
      ['2026-12', WABA_B, 'INR', B_INR.cost],
      ['2026-12', WABA_B, 'USD', B_USD.cost],
    ]);
    const wabas = await api<{ items: { id: string; currency: string; currencies: { from: string | null; code: string }[] }[] }>('wabas');
    // The clock is pinned at 2026-12-20: both are billed in INR today.
    expect(wabas.items.map((w) => [w.id, w.currency, w.currencies])).toEqual([
      [
        WABA_A,
        'INR',
        [
          { from: '2025-01-01', code: 'USD' },
          { from: '2026-12-01', code: 'INR' },
        ],
      ],
      [
        WABA_B,
        'INR',
        [
          { from: '2025-01-01', code: 'USD' },
          { from: '2026-12-15', code: 'INR' },
        ],
      ],
    ]);
    const rec = await api<{ rows: { day: string; currency: string; estimateCost: string | null }[] }>(
      `reconciliation?from=2026-11-30&to=2026-12-01&waba=${WABA_A}`,
    );
    expect(rec.rows.map((r) => [r.day, r.currency, r.estimateCost])).toEqual([
      ['2026-11-30', 'USD', A_NOV.cost],
      ['2026-12-01', 'INR', A_DEC.cost],
    ]);
  });

  maybe('gives month-to-date spend gauges per currency', async () => {
    const text = await (await fetch(`${(connector as ConnectorProcess).url}/metrics`)).text();
    const series = (metric: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${metric}{`))
        .sort();
    // December 2026 so far (as of 12-20): A is all INR; B has 0.0131 USD (marketing) and 1.09 + 0.145 INR.
    expect(series('waspend_month_to_date_cost')).toEqual(
      [
        `waspend_month_to_date_cost{waba="${WABA_A}",currency="INR",category="marketing"} 1.09`,
        `waspend_month_to_date_cost{waba="${WABA_A}",currency="INR",category="utility"} 0.29`,
        `waspend_month_to_date_cost{waba="${WABA_B}",currency="INR",category="marketing"} 1.09`,
        `waspend_month_to_date_cost{waba="${WABA_B}",currency="INR",category="utility"} 0.145`,
        `waspend_month_to_date_cost{waba="${WABA_B}",currency="USD",category="marketing"} 0.0131`,
      ].sort(),
    );
    // The USD part of B's month is final: its projection is what was spent.
    expect(series('waspend_projected_month_end_cost').filter((l) => l.includes('currency="USD"'))).toEqual([
      `waspend_projected_month_end_cost{waba="${WABA_B}",currency="USD"} 0.0131`,
    ]);
    expect(series('waspend_monthly_budget')).toEqual([`waspend_monthly_budget{waba="${WABA_A}",currency="INR"} 5000`]);
  });
});
