import { CALL_DIMENSIONS, type UsageDimension } from '@contract';
import { createDefaultQuery } from '../query/defaults';
import { migrateQuery } from '../query/migrate';
import type { QueryKind, WaspendQuery } from '../query/types';

/**
 * The query the editor shows: the stored one brought to the current schema, or, when it cannot be
 * read, the default query plus the reason (shown above the editor, so nothing is silently lost).
 */
export function readQueryForEditor(stored: unknown, refId: string): { query: WaspendQuery; problem?: string } {
  try {
    return { query: migrateQuery(stored) };
  } catch (err) {
    return { query: createDefaultQuery(refId), problem: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Switches the kind, keeping what the kinds share (filters, source, interval, compare) and filling
 * the new kind's own fields with their defaults. Calls cannot group by category and the like, so
 * those groupings are dropped rather than left to fail at query time.
 */
export function withKind(query: WaspendQuery, kind: QueryKind): WaspendQuery {
  const { metric: _m, band: _b, ...shared } = query as WaspendQuery & { metric?: unknown; band?: unknown };
  const base = { ...shared, kind } as WaspendQuery;
  switch (base.kind) {
    case 'billing':
      return { ...base, metric: 'billed_units' };
    case 'projection':
      return { ...base, band: true };
    case 'calls':
      return { ...base, groupBy: query.groupBy.filter((d) => (CALL_DIMENSIONS as readonly string[]).includes(d)) };
    default:
      return base;
  }
}

/** Text the user typed into a filter box -> list. Commas separate; `$var`/`${var:csv}` stay whole. */
export function parseFilterText(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const v = part.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

export function formatFilterList(values: readonly string[] | undefined): string {
  return (values ?? []).join(', ');
}

/** Dimensions a query can group by, for the group-by picker (none: the picker is hidden). */
export function groupByChoices(query: WaspendQuery, all: readonly UsageDimension[]): readonly string[] {
  const kind = query.kind;
  // Unique contacts come as one series (a sketch per day), not split by dimension.
  if (query.kind === 'billing' && query.metric === 'unique_contacts') return [];
  if (kind === 'calls') return CALL_DIMENSIONS;
  // The monthly view is always one row per WABA and month (an invoice has no other split).
  if (kind === 'reconciliation') return query.interval === 'month' ? [] : ['category', 'waba'];
  if (kind === 'tiers' || kind === 'projection') return [];
  return all;
}
