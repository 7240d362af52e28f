/**
 * The consolidation rule and the edges of the monthly reconciliation, in-process with a fixed clock
 * (the end-to-end figures on both stores are in tests/integration/invoice-reconciliation.test.ts; the
 * refused filters and groupings on both stores in monthly-reconciliation-stores.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reconciliationQuery } from '@contract';
import { importRateFile, loadPriceBook } from '../runtime/price-files';
import { statusEvents, statusObject } from '../../../tests/store/store-suite';
import { SqliteStore } from '../store';
import { CONSOLIDATION_DAYS, isConsolidating, monthlyReconciliation } from './monthly-reconciliation';
import type { QueryContext, WabaInfo } from './query-context';

// Generous: the shared test machine is often loaded, and SQLite commits with synchronous = FULL.
jest.setTimeout(30_000);

const at = (iso: string) => Date.parse(iso);

describe('isConsolidating', () => {
  // April 2026 in Sao Paulo (UTC-3) ends at 2026-05-01T03:00Z; five days later is 2026-05-06T03:00Z.
  const zone = 'America/Sao_Paulo';
  it('is true while the WABA-local month runs, invoice or not', () => {
    expect(isConsolidating('2026-04', zone, false, at('2026-05-01T02:59:59.999Z'))).toBe(true);
    expect(isConsolidating('2026-04', zone, true, at('2026-05-01T02:59:59.999Z'))).toBe(true);
  });
  it('ends with the invoice once the month is over', () => {
    expect(isConsolidating('2026-04', zone, true, at('2026-05-01T03:00:00Z'))).toBe(false);
  });
  it(`ends ${CONSOLIDATION_DAYS} WABA-local days after the month without an invoice`, () => {
    expect(CONSOLIDATION_DAYS).toBe(5);
    expect(isConsolidating('2026-04', zone, false, at('2026-05-06T02:59:59.999Z'))).toBe(true);
    expect(isConsolidating('2026-04', zone, false, at('2026-05-06T03:00:00Z'))).toBe(false);
    // December rolls into the next year.
    expect(isConsolidating('2025-12', 'UTC', false, at('2026-01-05T23:59:59Z'))).toBe(true);
    expect(isConsolidating('2025-12', 'UTC', false, at('2026-01-06T00:00:00Z'))).toBe(false);
  });
});

describe('monthlyReconciliation', () => {
  let dir: string;
  let store: SqliteStore;
  const W: WabaInfo = { id: 'W_UTC', name: 'UTC', timezone: 'UTC', currencies: [{ from: '', code: 'USD' }], portfolio: 'P1' };
  let now = 0;
  let ctx: QueryContext;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-monthly-'));
    store = new SqliteStore(path.join(dir, 'w.db'), { timezones: { W_UTC: 'UTC' } });
    const card = fs.readFileSync(path.join(__dirname, '../../../tests/fixtures/ratecards/usd-rates-2026-04-invented.csv'), 'utf8');
    await importRateFile(store, { kind: 'rates', text: card, effectiveFrom: '2026-03-01', fileName: 'card.csv' }, 0);
    const { book } = await loadPriceBook(store);
    ctx = { store, wabas: new Map([[W.id, W]]), priceBook: () => book, generation: () => 1, now: () => now };
    // Utility to Brazil (0.0072 on the card): one in April, one in May.
    const utility = { pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' } };
    await store.ingest(statusEvents('W_UTC', statusObject('wamid.apr', 'delivered', '2026-04-20T10:00:00Z', utility)), 0);
    await store.ingest(statusEvents('W_UTC', statusObject('wamid.may', 'delivered', '2026-05-02T10:00:00Z', utility)), 0);
    await store.saveInvoices([{ wabaId: 'W_UTC', month: '2026-04', currency: 'USD', amountMicros: 0n, source: 'api', enteredAtMs: 0 }]);
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const query = (extra: Record<string, string> = {}) =>
    monthlyReconciliation(ctx, reconciliationQuery.parse({ from: '2026-04-01', to: '2026-05-31', interval: 'month', ...extra }));

  it('gives a zero invoice a difference but no percentage, and flags the running month as consolidating', async () => {
    now = at('2026-05-03T00:00:00Z');
    const res = await query();
    expect(res.rows.map(({ time: _t, ...r }) => r)).toEqual([
      {
        month: '2026-04',
        wabaId: 'W_UTC',
        currency: 'USD',
        estimateCost: '0.0072',
        metaCost: null,
        invoiceAmount: '0',
        estimateVsMeta: null,
        estimateVsMetaPct: null,
        estimateVsInvoice: '0.0072',
        estimateVsInvoicePct: null,
        metaVsInvoice: null,
        metaVsInvoicePct: null,
        consolidating: false,
      },
      {
        month: '2026-05',
        wabaId: 'W_UTC',
        currency: 'USD',
        estimateCost: '0.0072',
        metaCost: null,
        invoiceAmount: null,
        estimateVsMeta: null,
        estimateVsMetaPct: null,
        estimateVsInvoice: null,
        estimateVsInvoicePct: null,
        metaVsInvoice: null,
        metaVsInvoicePct: null,
        consolidating: true,
      },
    ]);
    expect(res.problems).toEqual([]);
  });

  it('stops consolidating a month without invoice five days after its end', async () => {
    now = at('2026-06-05T23:59:59Z');
    expect((await query()).rows.map((r) => [r.month, r.consolidating])).toEqual([
      ['2026-04', false],
      ['2026-05', true],
    ]);
    now = at('2026-06-06T00:00:00Z');
    expect((await query()).rows.map((r) => [r.month, r.consolidating])).toEqual([
      ['2026-04', false],
      ['2026-05', false],
    ]);
  });
});
