import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import {
  InputError,
  microsToNumber,
  monthOf,
  monthStartMs,
  priceScenarioEach,
  type Micros,
  type PriceBook,
  type Scenario,
  type UsageRow,
} from '@core';
import type { Interval, PricingInputResponse, UsageDimension } from '@contract';
import { MicrosSum } from './micros-sum';
import { moneyFieldConfig, splitSeries } from './series';
import { warnings } from './notices';

export interface WhatIfFrameOptions {
  refId: string;
  groupBy: readonly UsageDimension[];
  /** `day` (the pricing grain) or `month`; hours are finer than what /pricing-input holds. */
  interval: Interval;
  /** WABA id -> IANA zone, for the start of a WABA-local month (`/api/v1/wabas`). */
  timeZones: ReadonlyMap<string, string>;
}

type Side = 'actual' | 'scenario';

/** One side's sum in a bucket: micro-units of the rows with a known price, and how many rows there were. */
interface Acc {
  sum: MicrosSum;
  known: boolean;
  rows: number;
}
type Bucket = Record<Side, Acc>;

/**
 * One series (grouped dimensions x currency): the fields splitSeries names it by (the same names
 * as /usage rows, taken from its first row) and its buckets by time.
 */
interface SeriesCell {
  currency: string;
  wabaId: string;
  market: string;
  category: string;
  pricingType: string;
  phoneNumberId: string | null;
  country: string | null;
  direction: string | null;
  group: string | null;
  buckets: Map<number, Bucket>;
}

/** Stands for a missing dimension value in the series tree (null cannot be told from "" otherwise). */
const NONE = Symbol('none');

/** The value of a grouping dimension on a priced row (the same fields /usage rows carry). */
function valueOf(row: UsageRow, dim: UsageDimension): string | null {
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
  // Day buckets start at the WABA-local midnight the connector sent with each row. Rows the
  // scenario made (moved or re-typed service) have no time of their own: they take their day's.
  let dayTime: Map<string, Map<string, number>> | undefined;
  const dayStart = (row: UsageRow): number => {
    const own = (row as { time?: unknown }).time;
    if (typeof own === 'number') return own;
    if (!dayTime) {
      dayTime = new Map();
      for (const r of input.rows) {
        let days = dayTime.get(r.wabaId);
        if (!days) dayTime.set(r.wabaId, (days = new Map()));
        days.set(r.day, r.time);
      }
    }
    return dayTime.get(row.wabaId)?.get(row.day) as number;
  };
  const monthStarts = new Map<string, number>();
  let lastWaba: string | undefined;
  let lastDay: string | undefined;
  let lastTime = 0;
  const bucketOf = (row: UsageRow): number => {
    if (options.interval === 'day') return dayStart(row);
    if (row.wabaId === lastWaba && row.day === lastDay) return lastTime;
    lastWaba = row.wabaId;
    lastDay = row.day;
    const key = `${row.wabaId}|${row.day.slice(0, 7)}`;
    let start = monthStarts.get(key);
    if (start === undefined) {
      const tz = options.timeZones.get(row.wabaId);
      if (!tz) throw new InputError('wabas', row.wabaId, 'is not a WABA the connector lists; its month cannot be placed');
      monthStarts.set(key, (start = monthStartMs(monthOf(row.day), tz)));
    }
    return (lastTime = start);
  };
  // Priced rows are summed straight into their series and bucket, found through a tree of maps
  // (currency, then each grouped value): tens of thousands of rows, no key strings built per row.
  const tree = new Map<unknown, unknown>();
  const series: SeriesCell[] = [];
  const seriesOf = (row: UsageRow): SeriesCell => {
    let node = tree;
    let key: unknown = row.currency;
    for (const d of options.groupBy) {
      let next = node.get(key) as Map<unknown, unknown> | undefined;
      if (!next) node.set(key, (next = new Map()));
      node = next;
      key = valueOf(row, d) ?? NONE;
    }
    let cell = node.get(key) as SeriesCell | undefined;
    if (!cell) {
      cell = {
        currency: row.currency,
        wabaId: row.wabaId,
        market: row.market,
        category: row.category,
        pricingType: row.pricingType,
        phoneNumberId: row.dims?.phone ?? null,
        country: row.dims?.country ?? null,
        direction: row.dims?.direction ?? null,
        group: row.dims?.group ?? null,
        buckets: new Map(),
      };
      node.set(key, cell);
      series.push(cell);
    }
    return cell;
  };
  const add = (side: Side, row: UsageRow, costMicros: Micros | null) => {
    const time = bucketOf(row);
    const buckets = seriesOf(row).buckets;
    let b = buckets.get(time);
    if (!b)
      buckets.set(
        time,
        (b = { actual: { sum: new MicrosSum(), known: false, rows: 0 }, scenario: { sum: new MicrosSum(), known: false, rows: 0 } }),
      );
    const acc = b[side];
    acc.rows += 1;
    if (costMicros !== null) {
      acc.sum.add(costMicros);
      acc.known = true;
    }
  };
  // Contract rows are usage rows with a `time` besides; the pricer reads only the fields it knows.
  // Only sums are shown: the tier splits are not built.
  const result = priceScenarioEach(
    input.rows as readonly UsageRow[],
    input.priorUnits,
    book,
    scenario,
    (side, _i, row, _b, costMicros) => add(side, row, costMicros),
    undefined,
    false,
  );
  const notices = warnings([
    ...result.actual.problems.map((p) => `actual: ${p.code}: ${p.message}`),
    ...result.scenario.problems.map((p) => `${scenario.name}: ${p.code}: ${p.message}`),
  ]);
  const name = scenario.name;
  return splitSeries(series, options.groupBy, '').map((s, i) => {
    const buckets = (s.rows[0] as SeriesCell).buckets;
    // A side with no rows in a bucket cost nothing there (e.g. service moved away); only unpriced rows give null.
    const total = (acc: Acc): bigint => acc.sum.total;
    const amount = (acc: Acc): number | null => (acc.known || acc.rows === 0 ? microsToNumber(total(acc)) : null);
    const times = [...buckets.keys()].sort((a, b) => a - b);
    const sides = times.map((t) => buckets.get(t) as Bucket);
    const actual = sides.map((b) => amount(b.actual));
    const scen = sides.map((b) => amount(b.scenario));
    const diff = sides.map((b, j) => (actual[j] === null || scen[j] === null ? null : microsToNumber(total(b.scenario) - total(b.actual))));
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
