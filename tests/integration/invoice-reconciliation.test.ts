/**
 * Invoice reconciliation end to end, on SQLite and on PostgreSQL: `waspend serve` as a child process,
 * a rate card imported with `waspend rates import`, webhooks posted over HTTP, Meta's analytics rows
 * stored the way the pullers store them, invoices entered with `waspend invoice import` and with
 * `PUT /api/v1/invoices/{waba}/{month}`, and `GET /api/v1/reconciliation?interval=month` checked
 * against figures worked out by hand below from the fixture card (tests/fixtures/ratecards,
 * usd-rates-2026-04-invented.csv: Brazil marketing 0.0625, utility 0.0072; India marketing 0.0131;
 * North America marketing 0.0250; service free; usd-call-rates-2025-08-invented.csv: Brazil 0.0300 a minute).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BOTH_STORES } from '../helpers/both-stores';
import { createCliWorkspace, importRateCards, rateCardFixture, type CliWorkspace } from '../helpers/cli-workspace';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { envelopeWithCalls, envelopeWithStatuses } from '../helpers/webhook-envelopes';
import { openStore } from '../../src/connector/runtime/open-store';
import type { MetaCallRow, MetaPricingRow } from '../../src/connector/pull/pull-sink';
import { postAcknowledged } from '../helpers/post-webhook';

jest.setTimeout(180_000);

const TOKEN = 'invoice-test-token-0123456789';
const A = '1029384756'; // America/Sao_Paulo (UTC-3 all year since 2019), USD
const B = '5647382910'; // UTC, USD
const secs = (iso: string) => String(Date.parse(iso) / 1000);
const BR = '5511987654321';
const IN = '919876543210';
const US = '12125550123';

const sender = (waba: string) => ({ waba, phone: `P${waba}`, display: '15550001111' });

function delivered(waba: string, id: string, at: string, to: string, category: string, type = 'regular'): string {
  const pricing = { billable: type === 'regular', pricing_model: 'PMP', type, category };
  return JSON.stringify(envelopeWithStatuses(sender(waba), [{ id, status: 'delivered', timestamp: secs(at), recipient_id: to, pricing }]));
}

/** A finished business-initiated call from the WABA's number to `to`, as the calls webhook reports it. */
function finishedCall(waba: string, id: string, startIso: string, durationSec: number, to: string): string {
  const start = Date.parse(startIso) / 1000;
  return JSON.stringify(
    envelopeWithCalls(sender(waba), [
      {
        id,
        from: '15550001111',
        to,
        event: 'terminate',
        direction: 'BUSINESS_INITIATED',
        timestamp: String(start + durationSec),
        status: 'COMPLETED',
        start_time: String(start),
        end_time: String(start + durationSec),
        duration: durationSec,
      },
    ]),
  );
}

const BODIES = [
  delivered(A, 'wamid.a1', '2026-03-15T12:00:00Z', BR, 'marketing'), // A March 0.0625
  delivered(A, 'wamid.a2', '2026-03-20T12:00:00Z', BR, 'utility'), // A March 0.0072
  delivered(A, 'wamid.a3', '2026-04-01T02:00:00Z', US, 'marketing'), // 23:00 on March 31st in Sao Paulo: A March 0.0250
  delivered(A, 'wamid.a4', '2026-04-10T12:00:00Z', IN, 'marketing'), // A April 0.0131
  delivered(A, 'wamid.a5', '2026-04-11T12:00:00Z', BR, 'utility'), // A April 0.0072
  delivered(A, 'wamid.a6', '2026-04-12T12:00:00Z', BR, 'service', 'free_customer_service'), // A April 0
  delivered(B, 'wamid.b1', '2026-04-05T10:00:00Z', BR, 'marketing'), // B April 0.0625
  delivered(B, 'wamid.b2', '2026-04-06T10:00:00Z', BR, 'marketing'), // B April 0.0625
  // 60 s to Brazil = 10 pulses of 6 s at 0.0300 per minute (usd-call-rates-2025-08-invented.csv) = 0.0300: A April.
  finishedCall(A, 'call.a1', '2026-04-12T15:00:00Z', 60, BR),
];

const micros = (n: number) => BigInt(Math.round(n * 1e6));
const metaRow = (waba: string, day: string, country: string, category: 'marketing' | 'utility', cost: number): MetaPricingRow => ({
  day,
  wabaId: waba,
  phoneNumberId: `P${waba}`,
  country,
  category,
  pricingType: 'regular',
  tier: null,
  volume: 1,
  costMicros: micros(cost),
  currency: 'USD',
});
// Meta counts a3 on April 1st (its own day cut) and reports one call for A in April.
const META_PRICING: Record<string, MetaPricingRow[]> = {
  [A]: [
    metaRow(A, '2026-03-15', 'BR', 'marketing', 0.0625),
    metaRow(A, '2026-03-20', 'BR', 'utility', 0.0072),
    metaRow(A, '2026-04-01', 'US', 'marketing', 0.025),
    metaRow(A, '2026-04-10', 'IN', 'marketing', 0.0131),
    metaRow(A, '2026-04-11', 'BR', 'utility', 0.0072),
  ],
  [B]: [metaRow(B, '2026-04-05', 'BR', 'marketing', 0.0625), metaRow(B, '2026-04-06', 'BR', 'marketing', 0.0625)],
};
const META_CALLS: MetaCallRow[] = [
  {
    day: '2026-04-12',
    wabaId: A,
    phoneNumberId: `P${A}`,
    country: 'BR',
    direction: 'business_initiated',
    count: 1,
    costMicros: micros(0.03),
    averageDurationSec: 60,
    currency: 'USD',
  },
];

/*
 * By hand:
 * A 2026-03 USD: estimate 0.0625 + 0.0072 + 0.0250 = 0.0947; Meta 0.0625 + 0.0072 = 0.0697; invoice 0.0705 (CLI, corrected)
 *   estimate - Meta = 0.0250 -> 0.0250 / 0.0697 = 35.868 % -> 35.87
 *   estimate - invoice = 0.0242 -> 0.0242 / 0.0705 = 34.326 % -> 34.33
 *   Meta - invoice = -0.0008 -> -0.0008 / 0.0705 = -1.1348 % -> -1.13
 * A 2026-04 USD: estimate 0.0131 + 0.0072 + 0 + call 0.0300 = 0.0503; Meta 0.0250 + 0.0131 + 0.0072 + call 0.0300 = 0.0753;
 *   invoice 0.08 (PUT)
 *   estimate - Meta = -0.0250 -> -0.0250 / 0.0753 = -33.2005 % -> -33.2
 *   estimate - invoice = -0.0297 -> -0.0297 / 0.08 = -37.125 % -> -37.13 (half away from zero)
 *   Meta - invoice = -0.0047 -> -0.0047 / 0.08 = -5.875 % -> -5.88
 * A 2026-04 EUR: only the invoice 0.07 (CLI); never compared with USD figures.
 * B 2026-04 USD: estimate 0.0625 * 2 = 0.125; Meta 0.125; invoice 0.13 (CLI)
 *   estimate - Meta = 0 -> 0 %; estimate - invoice = Meta - invoice = -0.005 -> -0.005 / 0.13 = -3.846 % -> -3.85
 * Every month ended long before the test runs and has an invoice: none is consolidating.
 */
const row = (
  wabaId: string,
  month: string,
  currency: string,
  figures: [string | null, string | null, string | null],
  diffs: [string | null, number | null, string | null, number | null, string | null, number | null],
) => ({
  month,
  wabaId,
  currency,
  estimateCost: figures[0],
  metaCost: figures[1],
  invoiceAmount: figures[2],
  estimateVsMeta: diffs[0],
  estimateVsMetaPct: diffs[1],
  estimateVsInvoice: diffs[2],
  estimateVsInvoicePct: diffs[3],
  metaVsInvoice: diffs[4],
  metaVsInvoicePct: diffs[5],
  consolidating: false,
});
const EXPECTED = [
  row(A, '2026-03', 'USD', ['0.0947', '0.0697', '0.0705'], ['0.025', 35.87, '0.0242', 34.33, '-0.0008', -1.13]),
  row(A, '2026-04', 'USD', ['0.0503', '0.0753', '0.08'], ['-0.025', -33.2, '-0.0297', -37.13, '-0.0047', -5.88]),
  row(A, '2026-04', 'EUR', [null, null, '0.07'], [null, null, null, null, null, null]),
  row(B, '2026-04', 'USD', ['0.125', '0.125', '0.13'], ['0', 0, '-0.005', -3.85, '-0.005', -3.85]),
];

async function call(c: ConnectorProcess, method: string, p: string, body?: string, token: string | null = TOKEN) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${c.url}/api/v1/${p}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

// A missing PostgreSQL skips its tests with the reason in their names (fails under CI=true); jest runs no
// beforeAll for a block whose tests are all skipped.
describe.each(BOTH_STORES)('invoice reconciliation on $title', (engine) => {
  const maybe = engine.it;
  let workspace: CliWorkspace | undefined;
  let dir: string;
  let db: string;
  let config: string;
  let connector: ConnectorProcess | null = null;
  const csv = (file: string, text: string) => {
    const p = path.join(dir, file);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    workspace = await createCliWorkspace(engine, 'invoices', {
      apiToken: TOKEN,
      wabas: [
        { id: A, name: 'Sao Paulo', timezone: 'America/Sao_Paulo', currency: 'USD', portfolio: 'P1' },
        { id: B, name: 'London', timezone: 'UTC', currency: 'USD', portfolio: 'P2' },
      ],
    });
    ({ dir, db, config } = workspace);
    await importRateCards(db, [[rateCardFixture('usd-rates-2026-04-invented.csv'), '2026-03-01']]);
    const callRates = rateCardFixture('usd-call-rates-2025-08-invented.csv');
    await runCli(['call-rates', 'import', callRates, '--effective', '2026-03-01', '--currency', 'USD', '--db', db]);
    // Meta's analytics as the pullers leave them: whole days replaced per WABA and source.
    const store = await openStore(db, { timezones: { [A]: 'America/Sao_Paulo', [B]: 'UTC' } });
    try {
      for (const [waba, rows] of Object.entries(META_PRICING)) {
        const days = [...new Set(rows.map((r) => r.day))];
        await store.replaceDays(waba, 'meta_pricing', days, { pricing: rows }, { lastCompleteDay: '2026-04-30' });
      }
      await store.replaceDays(A, 'meta_calls', ['2026-04-12'], { calls: META_CALLS }, { lastCompleteDay: '2026-04-30' });
    } finally {
      await store.close();
    }
    connector = await startConnector({ db, config });
    for (const body of BODIES) {
      await postAcknowledged(connector.url, body);
    }
  });

  /**
   * The invoices the reconciliation compares with, in their final state: what the import test leaves
   * (its CLI files, the corrected March, and April by PUT). Entered again by the test that needs them so
   * that it passes alone; after the import test it replaces each with the same values.
   */
  const enterInvoices = async (c: ConnectorProcess) => {
    const file = csv(
      'reconciled.csv',
      `month,waba,currency,amount\n2026-03,${A},USD,0.0705\n2026-04,${B},USD,0.13\n2026-04,${A},EUR,0.07\n`,
    );
    await runCli(['invoice', 'import', file, '--config', config, '--db', db]);
    const put = await call(c, 'PUT', `invoices/${A}/2026-04`, JSON.stringify({ currency: 'USD', amount: '0.08' }));
    if (put.status !== 200) throw new Error(`PUT invoice answered ${put.status}`);
  };

  afterAll(async () => {
    await connector?.stop();
    await workspace?.remove();
  });

  maybe('refuses a file with bad rows, naming each line and field, and stores none of its rows', async () => {
    const bad = csv(
      'bad.csv',
      [
        'month,waba,currency,amount',
        `2026-03,${A},USD,0.0700`, // good, but the file as a whole is refused
        `2026-13,${A},USD,1`,
        `2026-04,${A},usd,1`,
        `2026-04,${B},USD,1.2.3`,
        `2026-04,9999999999,USD,1`,
        `2026-04,${B},USD,-5`,
        `2026-03,${A},USD,0.0701`,
      ].join('\n'),
    );
    const failure = runCli(['invoice', 'import', bad, '--config', config, '--db', db]);
    await expect(failure).rejects.toThrow(/exited 1/);
    const message = String(await failure.catch((e: Error) => e.message));
    expect(message).toContain('bad.csv line 3 month: "2026-13" is not a month in YYYY-MM form');
    expect(message).toContain('bad.csv line 4 currency: "usd" is not an ISO 4217 currency code');
    expect(message).toContain('bad.csv line 5 amount: "1.2.3" is not a decimal number');
    expect(message).toContain('bad.csv line 6 waba: "9999999999" is not a configured WABA');
    expect(message).toContain('bad.csv line 7 amount: "-5" must not be negative');
    expect(message).toContain('bad.csv line 8: repeats the invoice of line 2');
    expect(message).toContain('nothing imported from bad.csv (6 problems)');
    const header = csv('header.csv', `waba,amount\n${A},1\n`);
    await expect(runCli(['invoice', 'import', header, '--db', db])).rejects.toThrow(/header.csv line 1: the header has no "month" column/);
    const listed = await call(connector as ConnectorProcess, 'GET', 'invoices?from=2026-01&to=2026-12');
    expect(listed).toEqual({ status: 200, json: { items: [] } });
  });

  maybe('imports invoices by CLI (a re-import replaces), takes one by PUT, and lists them exactly', async () => {
    const c = connector as ConnectorProcess;
    const first = csv('march.csv', `month,waba,currency,amount\n2026-03,${A},USD,0.0700\n2026-04,${B},USD,0.13\n2026-04,${A},EUR,0.07\n`);
    expect(await runCli(['invoice', 'import', first, '--config', config, '--db', db])).toBe(
      'imported 3 invoices from march.csv (0 replaced an earlier entry)\n',
    );
    // Columns in another order and a quoted amount with a thousands separator are fine.
    const corrected = csv('corrected.csv', `amount,month,currency,waba\n"0.0705",2026-03,USD,${A}\n"1,000.5",2025-12,USD,${B}\n`);
    expect(await runCli(['invoice', 'import', corrected, '--db', db])).toBe(
      'imported 2 invoices from corrected.csv (1 replaced an earlier entry)\n',
    );

    const put = await call(c, 'PUT', `invoices/${A}/2026-04`, JSON.stringify({ currency: 'USD', amount: '0.08' }));
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      item: { wabaId: A, month: '2026-04', currency: 'USD', amount: '0.08', source: 'api' },
      replaced: false,
    });

    const listed = await call(c, 'GET', 'invoices?from=2026-01&to=2026-12');
    expect((listed.json.items as Record<string, unknown>[]).map((i) => [i.month, i.wabaId, i.currency, i.amount, i.source])).toEqual([
      ['2026-03', A, 'USD', '0.0705', 'cli'],
      ['2026-04', A, 'EUR', '0.07', 'cli'],
      ['2026-04', A, 'USD', '0.08', 'api'],
      ['2026-04', B, 'USD', '0.13', 'cli'],
    ]);
    const older = await call(c, 'GET', `invoices?from=2025-12&to=2025-12&waba=${B}`);
    expect((older.json.items as Record<string, unknown>[]).map((i) => i.amount)).toEqual(['1000.5']);
  });

  maybe('refuses a PUT without the token (401) and bad input with 400 naming the field, storing nothing', async () => {
    const c = connector as ConnectorProcess;
    const good = JSON.stringify({ currency: 'USD', amount: '1' });
    expect((await call(c, 'PUT', `invoices/${A}/2026-05`, good, null)).status).toBe(401);
    expect((await call(c, 'PUT', `invoices/${A}/2026-05`, good, 'wrong-token-wrong-token')).status).toBe(401);
    const cases: [string, string, string][] = [
      [`invoices/${A}/2026-5`, good, 'month'],
      [`invoices/${A}/2026-05`, JSON.stringify({ currency: 'USD', amount: 1 }), 'amount'],
      [`invoices/${A}/2026-05`, JSON.stringify({ currency: 'USD', amount: '1.1234567' }), 'amount'],
      [`invoices/${A}/2026-05`, JSON.stringify({ currency: 'XYZ', amount: '1' }), 'currency'],
      [`invoices/${A}/2026-05`, JSON.stringify({ amount: '1' }), 'currency'],
      [`invoices/${A}/2026-05`, JSON.stringify({ currency: 'USD', amount: '1', note: 'x' }), 'note'],
      [`invoices/123/2026-05`, good, 'waba'],
      [`invoices/${A}/2026-05`, '{"currency": "USD", ', 'body'],
    ];
    for (const [p, body, field] of cases) {
      const res = await call(c, 'PUT', p, body);
      expect({ p, body, status: res.status, field: res.json.field }).toEqual({ p, body, status: 400, field });
      expect(String(res.json.message)).toMatch(new RegExp(`^${field}: `));
    }
    const bad = await call(c, 'GET', 'invoices?from=2026-04&to=2026-03');
    expect([bad.status, bad.json.field]).toEqual([400, 'to']);
    const listed = await call(c, 'GET', 'invoices?from=2026-05&to=2026-05');
    expect(listed.json.items).toEqual([]);
  });

  maybe('reconciles per WABA and month: estimate, Meta and invoice side by side with each difference', async () => {
    const c = connector as ConnectorProcess;
    await enterInvoices(c);
    const res = await call(c, 'GET', 'reconciliation?interval=month&from=2026-03-01&to=2026-04-30');
    expect(res.status).toBe(200);
    const rows = res.json.rows as Record<string, unknown>[];
    expect(rows.map(({ time: _t, ...r }) => r)).toEqual(EXPECTED);
    // Months start at WABA-local midnight: Sao Paulo is UTC-3.
    expect(rows.map((r) => r.time)).toEqual([
      Date.parse('2026-03-01T03:00:00Z'),
      Date.parse('2026-04-01T03:00:00Z'),
      Date.parse('2026-04-01T03:00:00Z'),
      Date.parse('2026-04-01T00:00:00Z'),
    ]);
    expect(res.json.consolidationDays).toBe(5);
    expect(res.json.problems).toEqual([expect.objectContaining({ code: 'currency_mismatch' })]);

    // A range inside April still compares the whole month; the waba filter narrows to one WABA.
    const part = await call(
      c,
      'GET',
      `reconciliation?interval=month&from=${Date.parse('2026-04-10T12:00:00Z')}&to=${Date.parse('2026-04-11T00:00:00Z')}&waba=${B}`,
    );
    expect((part.json.rows as Record<string, unknown>[]).map(({ time: _t, ...r }) => r)).toEqual([EXPECTED[3]]);

    const byCategory = await call(c, 'GET', 'reconciliation?interval=month&from=2026-03-01&to=2026-04-30&by=category');
    expect([byCategory.status, byCategory.json.field]).toEqual([400, 'by']);
    const country = await call(c, 'GET', 'reconciliation?interval=month&from=2026-03-01&to=2026-04-30&country=BR');
    expect([country.status, country.json.field]).toEqual([400, 'country']);
    // The daily comparison is unchanged by the monthly one.
    const daily = await call(c, 'GET', `reconciliation?from=2026-04-05&to=2026-04-05&waba=${B}`);
    expect(daily.json.rows).toEqual([
      expect.objectContaining({ day: '2026-04-05', estimateUnits: 1, metaUnits: 1, estimateCost: '0.0625', metaCost: '0.0625' }),
    ]);
  });
});
