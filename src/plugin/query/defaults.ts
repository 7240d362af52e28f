import type { QueryFilters, WaspendQuery } from './types';
import { SCHEMA_VERSION } from './types';

/** A fresh filter set: every list empty, which the connector reads as "all". */
export function createEmptyFilters(): QueryFilters {
  return { waba: [], phone: [], country: [], category: [], pricingType: [], direction: [], group: [] };
}

/** The query a new panel starts with: daily cost by category from the webhook estimate. */
export function createDefaultQuery(refId = 'A'): WaspendQuery {
  return {
    refId,
    schemaVersion: SCHEMA_VERSION,
    kind: 'cost',
    filters: createEmptyFilters(),
    groupBy: ['category'],
    source: 'estimate',
    interval: 'day',
  };
}
