import type { ScopedVars } from '@grafana/data';
import { kindSpec } from '../kinds';
import { FILTER_KEYS, QUERY_KINDS, type QueryFilters, type WaspendQuery } from './types';

/** Grafana's TemplateSrv.replace, passed in so this module runs without Grafana. */
export type ReplaceFn = (text: string, scopedVars: ScopedVars | undefined, format?: string) => string;

/**
 * Values an "All" option may expand to when the variable has a custom all value: they mean "no
 * filter", which the connector reads from an empty list.
 */
const ALL_VALUES = new Set(['*', '$__all']);

/**
 * The one place template variables are applied. Each filter entry is replaced with the csv format,
 * so a multi-value variable (`$country` = [BR, IN]) becomes separate entries, duplicates dropped.
 * A kind's own text fields go through its entry's `interpolate` (plain format). Returns a new query;
 * the input is untouched.
 */
export function interpolateQuery<Q extends WaspendQuery>(query: Q, replace: ReplaceFn, scopedVars?: ScopedVars): Q {
  const filters = {} as QueryFilters;
  for (const key of FILTER_KEYS) filters[key] = interpolateList(query.filters[key] ?? [], replace, scopedVars);
  const spec = (QUERY_KINDS as readonly string[]).includes(query.kind) ? kindSpec(query.kind) : undefined;
  const own = spec?.interpolate ? (spec.interpolate(query, (text) => (text.includes('$') ? replace(text, scopedVars) : text)) as Q) : query;
  return { ...own, filters };
}

/** Expands a list of possibly templated values into the concrete values. */
export function interpolateList(values: readonly string[], replace: ReplaceFn, scopedVars?: ScopedVars): string[] {
  const out: string[] = [];
  for (const raw of values) {
    const expanded = raw.includes('$') ? replace(raw, scopedVars, 'csv') : raw;
    for (const part of expanded.split(',')) {
      const v = part.trim();
      if (!v) continue;
      // An "All" selection anywhere in the list widens the filter to everything.
      if (ALL_VALUES.has(v)) return [];
      if (!out.includes(v)) out.push(v);
    }
  }
  return out;
}

/** True when any filter still names a variable Grafana does not know (left as `$name` by replace). */
export function findUnresolvedVariable(filters: QueryFilters): string | undefined {
  for (const key of FILTER_KEYS) {
    const hit = filters[key].find((v) => /\$\{?\w+/.test(v));
    if (hit !== undefined) return `filters.${key}`;
  }
  return undefined;
}
