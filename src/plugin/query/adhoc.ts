import type { AdHocVariableFilter } from '@grafana/data';
import { InputError } from '@core';
import type { ListKind } from '@contract';
import type { FilterKey, QueryFilters } from './types';

/**
 * Ad-hoc filter keys offered to dashboards (getTagKeys), the query filter each narrows and the
 * connector list its values come from (getTagValues).
 */
export const ADHOC_KEYS = {
  country: { filter: 'country', list: 'countries' },
  category: { filter: 'category', list: 'categories' },
  phone: { filter: 'phone', list: 'phones' },
  group: { filter: 'group', list: 'groups' },
} as const satisfies Record<string, { filter: FilterKey; list: ListKind }>;
export type AdhocKey = keyof typeof ADHOC_KEYS;

export function isAdhocKey(key: string): key is AdhocKey {
  return Object.prototype.hasOwnProperty.call(ADHOC_KEYS, key);
}

/**
 * The connector filters by inclusion lists only, so the operators are "equals" and "one of"
 * (Grafana's `=` and multi-value `=|`). Any other operator is refused with the filter named rather
 * than dropped, which would show unfiltered figures as if they were filtered.
 */
const INCLUDE_OPERATORS = new Set(['=', '=|']);

/**
 * Narrows already-interpolated query filters by dashboard ad-hoc filters. Several filters on one
 * key, and a filter on a key the query already filters, must all hold: the values are intersected.
 * An empty intersection would read as "no filter" on the wire (an empty list), so it is an error
 * naming the key instead.
 */
export function applyAdhocFilters(filters: QueryFilters, adhoc: readonly AdHocVariableFilter[] | undefined): QueryFilters {
  if (!adhoc?.length) return filters;
  const out: QueryFilters = { ...filters };
  for (const f of adhoc) {
    if (!isAdhocKey(f.key))
      throw new InputError(`adhocFilters.${f.key}`, f.value, `is not a waspend ad-hoc filter: use ${Object.keys(ADHOC_KEYS).join(', ')}`);
    if (!INCLUDE_OPERATORS.has(f.operator))
      throw new InputError(`adhocFilters.${f.key}`, f.operator, 'operator is not supported: use = or =| (one of)');
    const key = ADHOC_KEYS[f.key].filter;
    const wanted = [...new Set((f.values?.length ? f.values : [f.value]).map((v) => v.trim()).filter(Boolean))];
    if (!wanted.length) continue;
    const current = out[key];
    const merged = current.length ? current.filter((v) => wanted.includes(v)) : wanted;
    if (!merged.length)
      throw new InputError(
        `filters.${key}`,
        current,
        `the ad-hoc filter ${f.key} ${f.operator} ${wanted.join(',')} leaves none of this query's values (${current.join(',')})`,
      );
    out[key] = merged;
  }
  return out;
}
