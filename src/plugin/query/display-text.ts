import { FILTER_KEYS, type WaspendQuery } from './types';

const KIND_TEXT: Record<WaspendQuery['kind'], string> = {
  messages: 'Messages',
  cost: 'Cost',
  calls: 'Calls',
  billing: 'Billing',
  projection: 'Month-end projection',
  allocation: 'Cost allocation',
  reconciliation: 'Reconciliation',
  tiers: 'Volume tiers',
};

/**
 * One line for query history and collapsed query rows: what is asked, how it is split and which
 * filters apply (as stored, so `$waba` stays readable).
 */
export function queryDisplayText(query: WaspendQuery): string {
  const parts: string[] = [KIND_TEXT[query.kind] ?? String(query.kind)];
  if (query.kind === 'billing') parts[0] += ` (${query.metric === 'unique_contacts' ? 'unique contacts' : 'billed units'})`;
  if (query.kind !== 'tiers' && query.kind !== 'reconciliation' && query.source) parts.push(`source ${query.source}`);
  if (query.groupBy?.length) parts.push(`by ${query.groupBy.join(', ')}`);
  for (const key of FILTER_KEYS) {
    const values = query.filters?.[key] ?? [];
    if (values.length) parts.push(`${key} = ${values.join(', ')}`);
  }
  if (query.kind !== 'projection' && query.kind !== 'allocation' && query.kind !== 'tiers' && query.interval)
    parts.push(`per ${query.interval}`);
  if (query.compare === 'previous_period') parts.push('vs previous period');
  return parts.join(' · ');
}
