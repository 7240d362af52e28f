import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import {
  allocateByMarketCategory,
  isKnownCategory,
  microsToNumber,
  parseMicros,
  type GroupUsage,
  type MarketCategoryTotal,
  type Micros,
} from '@core';
import { usageResponse, type UsageDimension } from '@contract';
import { parseResponse } from './parse-response';
import { ROW_FIELD_OF, formatLabelValue, moneyFieldConfig } from './series';

export interface AllocationOptions {
  refId: string;
  /** The dimension the totals are split by (group, phone, waba...). */
  dimension: UsageDimension;
}

/**
 * Splits the billed totals (per market x category, from `source`) over the chosen dimension in
 * proportion to our own billed units there, with core's largest-remainder allocation so each
 * currency's parts add up to its total to the micro. One table frame per currency.
 */
export function buildAllocationFrames(totalsBody: unknown, unitsBody: unknown, options: AllocationOptions): DataFrame[] {
  const totalsRes = parseResponse(usageResponse, totalsBody, 'totals');
  const unitsRes = parseResponse(usageResponse, unitsBody, 'units');
  const totals = new Map<string, MarketCategoryTotal>();
  let unpriced = 0;
  totalsRes.rows.forEach((r, i) => {
    if (r.cost === null) return void (unpriced += 1);
    // A category waspend does not know has no cost (see the answer's problems), so nothing to split.
    if (r.market === undefined || r.category === undefined || !isKnownCategory(r.category)) return;
    const key = `${r.currency}|${r.market}|${r.category}`;
    const prev = totals.get(key);
    const micros = parseMicros(r.cost, `totals.rows[${i}].cost`);
    totals.set(key, { currency: r.currency, market: r.market, category: r.category, costMicros: (prev?.costMicros ?? 0n) + micros });
  });
  const usage: GroupUsage[] = [];
  for (const r of unitsRes.rows) {
    if (r.market === undefined || r.category === undefined || !isKnownCategory(r.category)) continue;
    const group = (r as Record<string, unknown>)[ROW_FIELD_OF[options.dimension]];
    // An empty key is a real bucket ("no group"), not a missing one: keep it so no cost is lost.
    usage.push({
      group: typeof group === 'string' ? group : '',
      currency: r.currency,
      market: r.market,
      category: r.category,
      units: r.billable,
    });
  }
  const parts = allocateByMarketCategory([...totals.values()], usage);
  const byCurrency = new Map<string, Map<string, { units: number; micros: Micros }>>();
  for (const p of parts) {
    const groups = byCurrency.get(p.currency) ?? new Map<string, { units: number; micros: Micros }>();
    byCurrency.set(p.currency, groups);
    const name = p.group === null ? 'Unattributed' : formatLabelValue(options.dimension, p.group);
    const acc = groups.get(name) ?? { units: 0, micros: 0n };
    groups.set(name, { units: acc.units + p.units, micros: acc.micros + p.costMicros });
  }
  const notices = unpriced
    ? [{ severity: 'warning' as const, text: `${unpriced} total(s) without a known cost were left out` }]
    : undefined;
  return [...byCurrency]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, groups], i) => {
      const rows = [...groups].sort(([an, a], [bn, b]) => (b.micros > a.micros ? 1 : b.micros < a.micros ? -1 : an.localeCompare(bn)));
      const suffix = byCurrency.size > 1 ? ` · ${currency}` : '';
      return createDataFrame({
        refId: options.refId,
        name: `Cost by ${formatDimension(options.dimension)}${suffix}`,
        meta: i === 0 && notices ? { notices } : undefined,
        fields: [
          { name: formatDimension(options.dimension), type: FieldType.string, values: rows.map(([n]) => n) },
          { name: 'Billed units', type: FieldType.number, values: rows.map(([, v]) => v.units), config: { unit: 'none', decimals: 0 } },
          {
            name: 'Cost',
            type: FieldType.number,
            values: rows.map(([, v]) => microsToNumber(v.micros)),
            config: moneyFieldConfig(currency),
          },
        ],
      });
    });
}

function formatDimension(dim: UsageDimension): string {
  return dim === 'pricing_type' ? 'Pricing type' : dim === 'waba' ? 'WABA' : dim.charAt(0).toUpperCase() + dim.slice(1);
}
