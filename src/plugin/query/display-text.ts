import { kindSpec } from '../kinds';
import { FILTER_KEYS, QUERY_KINDS, type WaspendQuery } from './types';

/**
 * One line for query history and collapsed query rows: what is asked, how it is split and which
 * filters apply (as stored, so `$waba` stays readable). The kind's part comes from its entry in KINDS.
 */
export function queryDisplayText(query: WaspendQuery): string {
  const spec = (QUERY_KINDS as readonly string[]).includes(query.kind) ? kindSpec(query.kind) : undefined;
  const parts: string[] = [spec ? spec.text.name + (spec.text.detail?.(query) ?? '') : String(query.kind)];
  if ((spec?.editor.source ?? true) && query.source) parts.push(`source ${query.source}`);
  if (query.groupBy?.length) parts.push(`by ${query.groupBy.join(', ')}`);
  for (const key of FILTER_KEYS) {
    const values = query.filters?.[key] ?? [];
    if (values.length) parts.push(`${key} = ${values.join(', ')}`);
  }
  if ((spec?.text.interval ?? true) && query.interval) parts.push(`per ${query.interval}`);
  if (query.compare === 'previous_period') parts.push('vs previous period');
  return parts.join(' · ');
}
