import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { usageResponse, type UsageDimension, type UsageRowDto } from '@contract';
import { parseResponse } from './parse-response';
import { moneyFieldConfig, splitSeries, toAmount } from './series';
import { warnings } from './notices';

export type UsageMetric = 'cost' | 'messages' | 'billable';

const METRIC_NAMES: Record<UsageMetric, string> = { cost: 'Cost', messages: 'Messages', billable: 'Billed units' };

export interface FrameOptions {
  refId: string;
  /** Moves every timestamp forward (previous-period frames overlay the current range). */
  shiftMs?: number;
  /** Appended to display names, e.g. ` (previous period)`. */
  suffix?: string;
}

/**
 * One time-series frame per series key (grouped dimensions x currency) from a /usage response.
 * Problems the connector reported (e.g. no rate known) go to frame notices so the panel shows them.
 */
export function buildUsageFrames(
  body: unknown,
  metric: UsageMetric,
  groupBy: readonly UsageDimension[],
  options: FrameOptions,
): DataFrame[] {
  const response = parseResponse(usageResponse, body, 'usage');
  const title = METRIC_NAMES[metric];
  const shift = options.shiftMs ?? 0;
  const suffix = options.suffix ?? '';
  const notices = warnings(response.problems.map((p) => `${p.code}: ${p.message}`));
  return splitSeries(response.rows, groupBy, title).map((s, i) => {
    const rows = [...s.rows].sort((a, b) => a.time - b.time);
    const name = `${s.name}${suffix}`;
    return createDataFrame({
      refId: options.refId,
      name,
      meta: i === 0 && notices.length ? { notices } : undefined,
      fields: [
        { name: 'Time', type: FieldType.time, values: rows.map((r) => r.time + shift) },
        {
          name: title,
          type: FieldType.number,
          labels: s.labels,
          values: rows.map((r, j) => valueOf(r, metric, j)),
          config: { displayNameFromDS: name, ...(metric === 'cost' ? moneyFieldConfig(s.currency) : { unit: 'none', decimals: 0 }) },
        },
      ],
    });
  });
}

function valueOf(row: UsageRowDto, metric: UsageMetric, index: number): number | null {
  if (metric === 'cost') return toAmount(row.cost, `usage.rows[${index}].cost`);
  return metric === 'messages' ? row.messages : row.billable;
}
