import { kindSpec } from '../kinds';
import type { WaspendQuery } from '../query/types';
import { checkRange, type ConnectorRequest, type RequestOptions, type TimeRangeMs } from './connector-request';

export type { ConnectorRequest, RequestOptions, TimeRangeMs } from './connector-request';
export { allocationDimension } from '../kinds/allocation';

/**
 * Turns an interpolated query and the panel's time range into the connector requests its kind plans
 * (`KINDS[kind].requests`). Every parameter set is checked with the contract's own schema first, so a
 * bad category or grouping is reported here, naming the query field, instead of as an HTTP 400.
 */
export function buildRequests(query: WaspendQuery, range: TimeRangeMs, options: RequestOptions): ConnectorRequest[] {
  checkRange(range);
  return kindSpec(query.kind).requests(query, range, options);
}
