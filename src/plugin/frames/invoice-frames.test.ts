import { buildInvoiceReconciliationFrames } from './invoice-frames';

const row = (month: string, currency: string, est: string | null, meta: string | null, inv: string | null, consolidating: boolean) => ({
  time: 0,
  month,
  wabaId: 'W1',
  currency,
  estimateCost: est,
  metaCost: meta,
  invoiceAmount: inv,
  estimateVsMeta: est && meta ? '0.025' : null,
  estimateVsMetaPct: est && meta ? 35.87 : null,
  estimateVsInvoice: est && inv ? '0.0242' : null,
  estimateVsInvoicePct: est && inv ? 34.33 : null,
  metaVsInvoice: meta && inv ? '-0.0008' : null,
  metaVsInvoicePct: meta && inv ? -1.13 : null,
  consolidating,
});

describe('buildInvoiceReconciliationFrames', () => {
  it('shows estimate, Meta, invoice and the differences as sent, one table per currency', () => {
    const body = {
      interval: 'month',
      consolidationDays: 5,
      rows: [
        row('2026-03', 'BRL', '0.0947', '0.0697', '0.0705', false),
        row('2026-04', 'BRL', '0.02', null, null, true),
        row('2026-04', 'EUR', null, null, '0.07', false),
      ],
      problems: [{ code: 'currency_mismatch', message: 'W1 2026-04: EUR' }],
    };
    const [brl, eur] = buildInvoiceReconciliationFrames(body, 'R');
    expect(brl!.name).toBe('Invoices BRL');
    expect(brl!.fields.map((f) => [f.name, f.values])).toEqual([
      ['Month', ['2026-03', '2026-04']],
      ['WABA', ['W1', 'W1']],
      ['Currency', ['BRL', 'BRL']],
      ['Estimate', [0.0947, 0.02]],
      ['Meta', [0.0697, null]],
      ['Invoice', [0.0705, null]],
      ['Estimate vs Meta', [0.025, null]],
      ['Estimate vs Meta %', [35.87, null]],
      ['Estimate vs invoice', [0.0242, null]],
      ['Estimate vs invoice %', [34.33, null]],
      ['Meta vs invoice', [-0.0008, null]],
      ['Meta vs invoice %', [-1.13, null]],
      ['Consolidating', ['no', 'yes']],
    ]);
    expect(brl!.fields[3]!.config).toEqual({ unit: 'currencyBRL', decimals: 2 });
    expect(brl!.fields[7]!.config).toEqual({ unit: 'percent', decimals: 2 });
    expect(brl!.meta?.notices).toEqual([{ severity: 'warning', text: 'currency_mismatch: W1 2026-04: EUR' }]);
    expect(eur!.fields.find((f) => f.name === 'Invoice')).toMatchObject({ values: [0.07], config: { unit: 'currencyEUR' } });
    // The problems are said once, on the first table; the second is named by its currency too.
    expect([eur!.name, eur!.meta]).toEqual(['Invoices EUR', undefined]);
  });

  it('one currency: one table named "Invoices", no notices without problems', () => {
    const body = {
      interval: 'month',
      consolidationDays: 5,
      rows: [row('2026-03', 'BRL', '0.0947', '0.0697', '0.0705', false)],
      problems: [],
    };
    const frames = buildInvoiceReconciliationFrames(body, 'R');
    expect(frames.map((f) => [f.name, f.refId, f.meta])).toEqual([['Invoices', 'R', undefined]]);
  });

  it('names the bad field of a response that does not match the contract', () => {
    const body = { interval: 'month', consolidationDays: 5, rows: [{ ...row('2026-03', 'BRL', 'x', null, null, false) }], problems: [] };
    expect(() => buildInvoiceReconciliationFrames(body, 'R')).toThrow('reconciliation.rows[0].estimateCost');
    expect(() => buildInvoiceReconciliationFrames({ rows: [] }, 'R')).toThrow(/reconciliation\.interval/);
  });
});
