import { kindSpec, ownFieldNames } from '../kinds';
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
 * Switches the kind, keeping what the kinds share (filters, source, interval, compare), dropping
 * the old kind's own fields and filling the new kind's with its defaults; the new kind's `onSelect`
 * may adjust shared fields it cannot use (calls drop groupings such as category).
 */
export function withKind(query: WaspendQuery, kind: QueryKind): WaspendQuery {
  const shared: Record<string, unknown> = { ...query };
  for (const name of ownFieldNames()) delete shared[name];
  const spec = kindSpec(kind);
  const next = { ...shared, kind, ...spec.defaults } as WaspendQuery;
  return spec.onSelect ? spec.onSelect(next) : next;
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
export function groupByChoices(query: WaspendQuery): readonly string[] {
  return kindSpec(query.kind).editor.groupBy(query);
}
