import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import {
  InputError,
  microsToNumber,
  monthOf,
  monthStartMs,
  priceScenario,
  type PriceBook,
  type PricedRow,
  type Scenario,
  type UsageRow,
} from '@core';
import type { Interval, PricingInputResponse, UsageDimension } from '@contract';
import { moneyFieldConfig, splitSeries } from './series';

export interface WhatIfFrameOptions {
  refId: string;
  groupBy: readonly UsageDimension[];
  /** `day` (the pricing grain) or `month`; hours are finer than what /pricing-input holds. */
  interval: Interval;
  /** WABA id -> IANA zone, for the start of a WABA-local month (`/api/v1/wabas`). */
  timeZones: ReadonlyMap<string, string>;
}

type Side = 'actual' | 'scenario';

/** A priced row flattened to the fields splitSeries groups by (the same names as /usage rows). */
interface Cell {
  side: Side;
  time: number;
  currency: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  phoneNumberId: string | null;
  country: string | null;
  direction: string | null;
  group: string | null;
  /** Sum of the known costs (null: none known). */
  cost: bigint | null;
  rows: number;
}

/** The value of a grouping dimension on a priced row (the same fields /usage rows carry). */
function valueOf(row: PricedRow, dim: UsageDimension): string | null {
  switch (dim) {
    case 'waba':
      return row.wabaId;
    case 'market':
      return row.market;
    case 'category':
      return row.category;
    case 'pricing_type':
      return row.pricingType;
    default:
      return row.dims?.[dim] ?? null;
  }
}

/**
 * Prices /pricing-input rows with core's pricer twice (as the connector does, and under the scenario)
 * and returns, per series (grouped dimensions x currency), one frame with the bucket time, the actual
 * cost, the scenario's cost and the difference (scenario - actual), the scenario named in its
 * fields' display names. Money is summed in micro-units and turned into a number once per cell; a
 * cell is null only when no row in it has a known price. Pricing problems become frame notices.
 */
export function buildWhatIfFrames(
  input: PricingInputResponse,
  book: PriceBook,
  scenario: Scenario,
  options: WhatIfFrameOptions,
): DataFrame[] {
  if (options.interval === 'hour') throw new InputError('interval', 'hour', 'what-if prices whole WABA-local days: use day or month');
  const dayTime = new Map<string, number>();
  for (const r of input.rows) dayTime.set(`${r.wabaId}|${r.day}`, r.time);
  // Contract rows are usage rows with a `time` besides; the pricer copies only the fields it knows.
  const result = priceScenario(input.rows as readonly UsageRow[], input.priorUnits, book, scenario);
  const monthStarts = new Map<string, number>();
  const bucketOf = (row: PricedRow): number => {
    if (options.interval === 'day') return dayTime.get(`${row.wabaId}|${row.day}`) as number;
    const key = `${row.wabaId}|${row.day.slice(0, 7)}`;
    let start = monthStarts.get(key);
    if (start === undefined) {
      const tz = options.timeZones.get(row.wabaId);
      if (!tz) throw new InputError('wabas', row.wabaId, 'is not a WABA the connector lists; its month cannot be placed');
      monthStarts.set(key, (start = monthStartMs(monthOf(row.day), tz)));
    }
    return start;
  };
  // Priced rows summed per side, bucket and series first (tens of thousands of rows become a few
  // hundred cells), so the series split below works on cells, not rows.
  const cells = new Map<string, Cell>();
  const add = (side: Side, row: PricedRow) => {
    const time = bucketOf(row);
    const values = options.groupBy.map((d) => valueOf(row, d));
    const key = `${side}\u0001${time}\u0001${row.currency}\u0001${values.map((v) => v ?? '\u0002').join('\u0001')}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        side,
        time,
        currency: row.currency,
        wabaId: row.wabaId,
        market: row.market,
        category: row.category,
        pricingType: row.pricingType,
        phoneNumberId: row.dims?.phone ?? null,
        country: row.dims?.country ?? null,
        direction: row.dims?.direction ?? null,
        group: row.dims?.group ?? null,
        cost: null,
        rows: 0,
      };
      cells.set(key, cell);
    }
    cell.rows += 1;
    if (row.costMicros !== null) cell.cost = (cell.cost ?? 0n) + row.costMicros;
  };
  for (const r of result.actual.rows) add('actual', r);
  for (const r of result.scenario.rows) add('scenario', r);
  const notices = [
    ...result.actual.problems.map((p) => ['actual', p] as const),
    ...result.scenario.problems.map((p) => [scenario.name, p] as const),
  ].map(([side, p]) => ({ severity: 'warning' as const, text: `${side}: ${p.code}: ${p.message}` }));
  const name = scenario.name;
  return splitSeries([...cells.values()], options.groupBy, '').map((s, i) => {
    type Acc = { sum: bigint; known: boolean; rows: number };
    const buckets = new Map<number, Record<Side, Acc>>();
    for (const c of s.rows) {
      let b = buckets.get(c.time);
      if (!b) buckets.set(c.time, (b = { actual: { sum: 0n, known: false, rows: 0 }, scenario: { sum: 0n, known: false, rows: 0 } }));
      const acc = b[c.side];
      acc.rows += c.rows;
      if (c.cost !== null) {
        acc.sum += c.cost;
        acc.known = true;
      }
    }
    // A side with no rows in a bucket cost nothing there (e.g. service moved away); only unpriced rows give null.
    const amount = (acc: Acc): number | null => (acc.known || acc.rows === 0 ? microsToNumber(acc.sum) : null);
    const times = [...buckets.keys()].sort((a, b) => a - b);
    const sides = times.map((t) => buckets.get(t) as Record<Side, Acc>);
    const actual = sides.map((b) => amount(b.actual));
    const scen = sides.map((b) => amount(b.scenario));
    const diff = sides.map((b, j) => (actual[j] === null || scen[j] === null ? null : microsToNumber(b.scenario.sum - b.actual.sum)));
    const prefix = s.name ? `${s.name} · ` : '';
    const money = moneyFieldConfig(s.currency);
    const field = (fieldName: string, display: string, values: (number | null)[], extra: Record<string, string> = {}) => ({
      name: fieldName,
      type: FieldType.number,
      labels: { ...s.labels, ...extra },
      values,
      config: { displayNameFromDS: `${prefix}${display}`, ...money },
    });
    return createDataFrame({
      refId: options.refId,
      name: `${prefix}${name}`,
      meta: i === 0 && notices.length ? { notices } : undefined,
      fields: [
        { name: 'Time', type: FieldType.time, values: times },
        field('Actual', 'Actual', actual),
        field(name, name, scen, { scenario: name }),
        field('Difference', `${name} − actual`, diff, { scenario: name }),
      ],
    });
  });
}
