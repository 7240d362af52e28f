/**
 * The /api/v1 query endpoints (docs/api.md) with a valid query each, for the suites that probe every
 * endpoint (fuzzing, tokens, injection strings).
 */
import { API_PREFIX, LIST_KINDS } from '@contract';

export interface ApiEndpoint {
  path: string;
  /** A query string the endpoint accepts (200). */
  valid: string;
  /** Filters it takes (each gets injection strings). */
  filters: string[];
}

const RANGE = 'from=2026-10-01&to=2026-10-14';
const SERIES_FILTERS = ['from', 'to', 'waba', 'phone', 'country', 'category', 'pricingType', 'direction', 'group'];

export const API_ENDPOINTS: ApiEndpoint[] = [
  { path: `${API_PREFIX}/usage`, valid: `${RANGE}&interval=day&by=category`, filters: [...SERIES_FILTERS, 'interval', 'by', 'source'] },
  { path: `${API_PREFIX}/pricing-input`, valid: `${RANGE}&by=category`, filters: [...SERIES_FILTERS, 'by'] },
  { path: `${API_PREFIX}/calls`, valid: `${RANGE}&interval=day`, filters: [...SERIES_FILTERS, 'interval', 'by', 'source'] },
  { path: `${API_PREFIX}/contacts`, valid: `${RANGE}&interval=day`, filters: [...SERIES_FILTERS, 'interval'] },
  { path: `${API_PREFIX}/reconciliation`, valid: `${RANGE}&by=category`, filters: [...SERIES_FILTERS, 'by'] },
  { path: `${API_PREFIX}/tiers`, valid: 'month=2026-10', filters: ['month', 'waba'] },
  { path: `${API_PREFIX}/annotations`, valid: RANGE, filters: ['from', 'to', 'waba', 'kind'] },
  { path: `${API_PREFIX}/price-book`, valid: '', filters: [] },
  { path: `${API_PREFIX}/price-files`, valid: '', filters: [] },
  { path: `${API_PREFIX}/wabas`, valid: '', filters: [] },
  ...LIST_KINDS.map((kind) => ({ path: `${API_PREFIX}/lists/${kind}`, valid: '', filters: ['waba'] })),
];
