import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { callsResponse, contactsResponse, type CallDimension } from '@contract';
import { parseResponse } from './parse-response';
import { currencyUnit, currencyDecimals, splitSeries, toAmount } from './series';
import type { FrameOptions } from './usage-frames';

/** One frame per series key from /calls: count, talk time, average duration and cost. */
export function buildCallsFrames(body: unknown, groupBy: readonly CallDimension[], options: FrameOptions): DataFrame[] {
  const response = parseResponse(callsResponse, body, 'calls');
  const shift = options.shiftMs ?? 0;
  const suffix = options.suffix ?? '';
  return splitSeries(response.rows, groupBy, 'Calls').map((s) => {
    const rows = [...s.rows].sort((a, b) => a.time - b.time);
    const name = `${s.name}${suffix}`;
    const field = (title: string, values: Array<number | null>, unit: string, decimals?: number) => ({
      name: title,
      type: FieldType.number,
      labels: s.labels,
      values,
      config: {
        unit,
        ...(decimals === undefined ? {} : { decimals }),
        displayNameFromDS: groupBy.length ? `${name} ${title.toLowerCase()}` : `${title}${suffix}`,
      },
    });
    return createDataFrame({
      refId: options.refId,
      name,
      fields: [
        { name: 'Time', type: FieldType.time, values: rows.map((r) => r.time + shift) },
        field(
          'Calls',
          rows.map((r) => r.calls),
          'none',
        ),
        field(
          'Talk time',
          rows.map((r) => r.durationSec),
          's',
        ),
        // A bucket without calls has no average; 0 would read as "calls of zero length".
        field(
          'Average duration',
          rows.map((r) => (r.calls > 0 ? r.durationSec / r.calls : null)),
          's',
        ),
        field(
          'Cost',
          rows.map((r, i) => toAmount(r.cost, `calls.rows[${i}].cost`)),
          currencyUnit(s.currency),
          currencyDecimals(s.currency),
        ),
      ],
    });
  });
}

/** Unique contacts per bucket; the range total (not the sum of buckets) is kept in meta.custom. */
export function buildContactsFrame(body: unknown, options: FrameOptions): DataFrame {
  const response = parseResponse(contactsResponse, body, 'contacts');
  const rows = [...response.rows].sort((a, b) => a.time - b.time);
  const suffix = options.suffix ?? '';
  return createDataFrame({
    refId: options.refId,
    name: `Unique contacts${suffix}`,
    meta: { custom: { total: response.total } },
    fields: [
      { name: 'Time', type: FieldType.time, values: rows.map((r) => r.time + (options.shiftMs ?? 0)) },
      {
        name: 'Unique contacts',
        type: FieldType.number,
        values: rows.map((r) => r.contacts),
        config: {
          unit: 'none',
          decimals: 0,
          displayNameFromDS: `Unique contacts${suffix}`,
          description: 'Approximate (HyperLogLog, ~1.6% error)',
        },
      },
    ],
  });
}
