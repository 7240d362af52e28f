import type { AdHocVariableFilter, DataFrame, ScopedVars } from '@grafana/data';
import { InputError, localDay, previousPeriod } from '@core';
import type { CallDimension } from '@contract';
import { allocationDimension, buildRequests, type ConnectorRequest, type TimeRangeMs } from '../api/request-params';
import { buildAllocationFrames } from '../frames/allocation-frames';
import { buildCallsFrames, buildContactsFrame } from '../frames/calls-frames';
import { buildInvoiceReconciliationFrames } from '../frames/invoice-frames';
import { buildProjectionFrames } from '../frames/projection-frames';
import { buildReconciliationFrames, buildTiersFrame } from '../frames/reconciliation-frames';
import { buildUsageFrames, type FrameOptions } from '../frames/usage-frames';
import { applyAdhocFilters } from './adhoc';
import { findUnresolvedVariable, interpolateQuery, type ReplaceFn } from './interpolate';
import { migrateQuery } from './migrate';
import type { WaspendQuery } from './types';

/** GETs `path?search` through the data-source proxy and resolves to the parsed JSON body. */
export type FetchJson = (path: string, search: string, signal: AbortSignal) => Promise<unknown>;

export interface RunDeps {
  fetchJson: FetchJson;
  replace: ReplaceFn;
  /** Names "today" and the current month for projection and tiers. */
  timeZone: string;
  /** Aborted when the dashboard refreshes, so superseded requests stop. */
  signal: AbortSignal;
  /** The dashboard's ad-hoc filters for this data source (DataQueryRequest.filters). */
  adhocFilters?: readonly AdHocVariableFilter[];
}

/**
 * A stored query made concrete: migrated, template variables applied, ad-hoc filters merged in.
 * Shared by query(), applyTemplateVariables and interpolateVariablesInQueries (Explore), so a
 * panel and its "open in Explore" ask the connector the same thing.
 */
export function prepareQuery(
  stored: unknown,
  replace: ReplaceFn,
  scopedVars?: ScopedVars,
  adhocFilters?: readonly AdHocVariableFilter[],
): WaspendQuery {
  const query = interpolateQuery(migrateQuery(stored), replace, scopedVars);
  return { ...query, filters: applyAdhocFilters(query.filters, adhocFilters) };
}

/**
 * One panel query end to end, without Grafana: migrate, apply variables, build the connector
 * requests, fetch them in parallel and turn the responses into frames.
 */
export async function runQuery(stored: unknown, range: TimeRangeMs, deps: RunDeps, scopedVars?: ScopedVars): Promise<DataFrame[]> {
  const query = prepareQuery(stored, deps.replace, scopedVars, deps.adhocFilters);
  const unresolved = findUnresolvedVariable(query.filters);
  if (unresolved) throw new InputError(unresolved, query.filters, 'names a template variable this dashboard does not define');
  const requests = buildRequests(query, range, { timeZone: deps.timeZone });
  const bodies = await Promise.all(requests.map((r) => deps.fetchJson(r.path, r.search, deps.signal)));
  const byRole = new Map<ConnectorRequest['role'], unknown>(requests.map((r, i) => [r.role, bodies[i]]));
  return toFrames(query, range, byRole, deps.timeZone);
}

function toFrames(query: WaspendQuery, range: TimeRangeMs, bodies: Map<string, unknown>, timeZone: string): DataFrame[] {
  const main = bodies.get('main');
  const refId = query.refId;
  const current: FrameOptions = { refId };
  const previous: FrameOptions = { refId, shiftMs: range.toMs - previousPeriod(range).toMs, suffix: ' (previous period)' };
  const withPrevious = (build: (body: unknown, o: FrameOptions) => DataFrame[]) =>
    bodies.has('previous') ? [...build(main, current), ...build(bodies.get('previous'), previous)] : build(main, current);
  switch (query.kind) {
    case 'messages':
      return withPrevious((b, o) => buildUsageFrames(b, 'messages', query.groupBy, o));
    case 'cost':
      return withPrevious((b, o) => buildUsageFrames(b, 'cost', query.groupBy, o));
    case 'billing':
      return query.metric === 'unique_contacts'
        ? withPrevious((b, o) => [buildContactsFrame(b, o)])
        : withPrevious((b, o) => buildUsageFrames(b, 'billable', query.groupBy, o));
    case 'calls':
      return withPrevious((b, o) => buildCallsFrames(b, query.groupBy as CallDimension[], o));
    case 'projection':
      return buildProjectionFrames(main, { refId, today: localDay(range.toMs, timeZone), timeZone, band: query.band });
    case 'allocation':
      return buildAllocationFrames(bodies.get('totals'), bodies.get('units'), { refId, dimension: allocationDimension(query.groupBy) });
    case 'reconciliation':
      return query.interval === 'month'
        ? buildInvoiceReconciliationFrames(main, refId)
        : buildReconciliationFrames(main, query.groupBy, refId);
    case 'tiers':
      return [buildTiersFrame(main, refId)];
  }
}
