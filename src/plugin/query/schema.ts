import { z } from 'zod';
import { InputError } from '@core';
import { INTERVALS, SOURCES, USAGE_DIMENSIONS } from '@contract';
import { createEmptyFilters } from './defaults';
import { kindSpec } from '../kinds';
import { COMPARE_MODES, FILTER_KEYS, QUERY_KINDS, type FilterKey, type WaspendQuery } from './types';

// Free strings: a filter value may be a template variable until interpolate.ts has run.
const filterList = z.array(z.string().max(1000)).max(1000).default([]);
const filterShape = Object.fromEntries(FILTER_KEYS.map((k) => [k, filterList])) as Record<FilterKey, typeof filterList>;

// DataQuery's own fields (hide, key, queryType, datasource) pass through untouched: Grafana owns them.
const base = {
  refId: z.string(),
  schemaVersion: z.literal(1),
  filters: z.object(filterShape).default(createEmptyFilters),
  groupBy: z.array(z.enum(USAGE_DIMENSIONS)).max(USAGE_DIMENSIONS.length).default([]),
  source: z.enum(SOURCES).default('estimate'),
  interval: z.enum(INTERVALS).default('day'),
  compare: z.enum(COMPARE_MODES).optional(),
};

const variant = <K extends string, E extends z.ZodRawShape>(kind: K, extra: E) =>
  z.looseObject({ ...base, kind: z.literal(kind), ...extra });

type Variant = ReturnType<typeof variant>;

/** One variant per kind, in QUERY_KINDS order, with the kind's own fields from its entry in KINDS. */
export const waspendQuerySchema = z.discriminatedUnion(
  'kind',
  QUERY_KINDS.map((kind) => variant(kind, kindSpec(kind).schema)) as [Variant, ...Variant[]],
);

/** Validates a (migrated) query; the error names the first offending field, e.g. `filters.waba[2]`. */
export function parseQuery(raw: unknown): WaspendQuery {
  const result = waspendQuerySchema.safeParse(raw);
  if (result.success) return result.data as WaspendQuery;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const field = formatPath(issue.path);
  throw new InputError(field || 'query', valueAt(raw, issue.path), issue.message);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}
