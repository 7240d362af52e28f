import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { reconciliationMonthResponse, type ReconciliationMonthRow } from '@contract';
import { parseResponse } from './parse-response';
import { moneyFieldConfig, toAmount } from './series';
import { warnings } from './notices';

/**
 * The monthly reconciliation (`reconciliation?interval=month`) as tables: one row per WABA and month
 * with estimate, Meta, invoice, the three differences (already exact on the wire) and whether Meta
 * may still change the month. One frame per currency, because a money field has one unit.
 */
export function buildInvoiceReconciliationFrames(body: unknown, refId: string): DataFrame[] {
  const response = parseResponse(reconciliationMonthResponse, body, 'reconciliation');
  const notices = warnings(response.problems.map((p) => `${p.code}: ${p.message}`));
  const byCurrency = new Map<string, ReconciliationMonthRow[]>();
  for (const r of response.rows) byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), r]);
  return [...byCurrency.entries()].map(([currency, rows], i) => {
    const at = (j: number, f: string) => `reconciliation.rows[${response.rows.indexOf(rows[j] as ReconciliationMonthRow)}].${f}`;
    const str = (name: string, values: string[]) => ({ name, type: FieldType.string, values });
    const money = (name: string, key: keyof ReconciliationMonthRow) => ({
      name,
      type: FieldType.number,
      values: rows.map((r, j) => toAmount(r[key] as string | null, at(j, key))),
      config: moneyFieldConfig(currency),
    });
    const pct = (name: string, key: keyof ReconciliationMonthRow) => ({
      name,
      type: FieldType.number,
      values: rows.map((r) => r[key] as number | null),
      config: { unit: 'percent', decimals: 2 },
    });
    return createDataFrame({
      refId,
      name: byCurrency.size > 1 ? `Invoices ${currency}` : 'Invoices',
      meta: i === 0 && notices.length ? { notices } : undefined,
      fields: [
        str(
          'Month',
          rows.map((r) => r.month),
        ),
        str(
          'WABA',
          rows.map((r) => r.wabaId),
        ),
        str(
          'Currency',
          rows.map((r) => r.currency),
        ),
        money('Estimate', 'estimateCost'),
        money('Meta', 'metaCost'),
        money('Invoice', 'invoiceAmount'),
        money('Estimate vs Meta', 'estimateVsMeta'),
        pct('Estimate vs Meta %', 'estimateVsMetaPct'),
        money('Estimate vs invoice', 'estimateVsInvoice'),
        pct('Estimate vs invoice %', 'estimateVsInvoicePct'),
        money('Meta vs invoice', 'metaVsInvoice'),
        pct('Meta vs invoice %', 'metaVsInvoicePct'),
        str(
          'Consolidating',
          rows.map((r) => (r.consolidating ? 'yes' : 'no')),
        ),
      ],
    });
  });
}
