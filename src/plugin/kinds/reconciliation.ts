import { reconciliationQuery } from '@contract';
import { connectorRequest, csv, filterParams, rangeParams } from '../api/connector-request';
import { buildInvoiceReconciliationFrames } from '../frames/invoice-frames';
import { buildReconciliationFrames } from '../frames/reconciliation-frames';
import type { Interval } from '@contract';
import type { KindSpec } from './spec';

/** Estimate against Meta's analytics per day, or estimate, Meta and the invoice per WABA and month. */
export const reconciliationKind: KindSpec<'reconciliation'> = {
  kind: 'reconciliation',
  label: 'Reconciliation',
  description: 'Our estimate against Meta’s figures (per day) and the invoice (per month)',
  editor: {
    source: false,
    interval: false,
    compare: false,
    // The monthly view is always one row per WABA and month (an invoice has no other split).
    groupBy: (query) => (query.interval === 'month' ? [] : ['category', 'waba']),
    fields: [
      {
        control: 'radio',
        row: 'kind',
        label: 'View',
        labelWidth: 10,
        tooltip:
          "Per day: estimate vs Meta's analytics. Per month: estimate, Meta and the entered invoice per WABA, with differences and whether Meta may still change the month (only the WABA filter applies).",
        ariaLabel: 'Reconciliation view',
        options: [
          { label: 'Per day', value: 'day' },
          { label: 'Per month with invoice', value: 'month' },
        ],
        value: (query) => (query.interval === 'month' ? 'month' : 'day'),
        set: (query, value) => ({ ...query, interval: value as Interval }),
      },
    ],
  },
  schema: {},
  defaults: {},
  text: { name: 'Reconciliation', interval: true },
  requests(query, range) {
    if (query.interval === 'month') {
      // Per WABA and whole month against the invoice: only the WABA filter applies (an invoice has no other split).
      const months = { from: String(range.fromMs), to: String(range.toMs), waba: filterParams(query).waba ?? '', interval: 'month' };
      return [connectorRequest('main', 'reconciliation', reconciliationQuery, months)];
    }
    const by = query.groupBy.filter((d) => d === 'category' || d === 'waba');
    return [connectorRequest('main', 'reconciliation', reconciliationQuery, { ...rangeParams(query, range), by: csv(by) })];
  },
  frames: (query, responses) =>
    query.interval === 'month'
      ? buildInvoiceReconciliationFrames(responses.get('main'), query.refId)
      : buildReconciliationFrames(responses.get('main'), query.groupBy, query.refId),
};
