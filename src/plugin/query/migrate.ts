import { QUERY_KINDS, SCHEMA_VERSION, type WaspendQuery } from './types';
import { parseQuery } from './schema';

type Loose = Record<string, unknown>;

/**
 * Brings a stored query (dashboard JSON of any age) to the current schema, then validates it.
 * Pure: the input object is never mutated, since Grafana keeps it in the panel model.
 */
export function migrateQuery(raw: unknown): WaspendQuery {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return parseQuery(raw);
  const q: Loose = { ...(raw as Loose) };
  if (q.schemaVersion === undefined) Object.assign(q, migrateUnversioned(q));
  return parseQuery(q);
}

/**
 * Queries saved before schemaVersion existed kept the kind in Grafana's `queryType`, filters at the
 * top level as comma-separated strings and the grouping as `by`. Unknown extra fields are kept.
 */
function migrateUnversioned(q: Loose): Loose {
  const out: Loose = { schemaVersion: SCHEMA_VERSION };
  if (q.kind === undefined && typeof q.queryType === 'string' && (QUERY_KINDS as readonly string[]).includes(q.queryType)) {
    out.kind = q.queryType;
  }
  if (q.kind === undefined && out.kind === undefined) out.kind = 'cost';
  const filters: Loose = typeof q.filters === 'object' && q.filters !== null ? { ...(q.filters as Loose) } : {};
  for (const key of ['waba', 'phone', 'country', 'category', 'pricingType', 'direction', 'group']) {
    if (filters[key] === undefined && q[key] !== undefined) filters[key] = toList(q[key]);
    else if (typeof filters[key] === 'string') filters[key] = toList(filters[key]);
    delete q[key];
  }
  out.filters = filters;
  if (q.groupBy === undefined && q.by !== undefined) out.groupBy = toList(q.by);
  delete q.by;
  return out;
}

function toList(v: unknown): unknown {
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return v;
}
