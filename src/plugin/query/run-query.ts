import type { AdHocVariableFilter, DataFrame, ScopedVars } from '@grafana/data';
import { InputError } from '@core';
import type { FetchJson } from '../api/connector-request';
import { buildRequests, type ConnectorRequest, type TimeRangeMs } from '../api/request-params';
import { kindSpec, type GetJson } from '../kinds';
import { applyAdhocFilters } from './adhoc';
import { findUnresolvedVariable, interpolateQuery, type ReplaceFn } from './interpolate';
import { migrateQuery } from './migrate';
import type { WaspendQuery } from './types';

export type { FetchJson } from '../api/connector-request';

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
 * One panel query end to end, without Grafana: migrate, apply variables, then the kind's entry in
 * KINDS plans the connector requests, fetches them (in parallel unless it has its own `load`) and
 * turns the responses into frames.
 */
export async function runQuery(stored: unknown, range: TimeRangeMs, deps: RunDeps, scopedVars?: ScopedVars): Promise<DataFrame[]> {
  const query = prepareQuery(stored, deps.replace, scopedVars, deps.adhocFilters);
  const unresolved = findUnresolvedVariable(query.filters);
  if (unresolved) throw new InputError(unresolved, query.filters, 'names a template variable this dashboard does not define');
  const requests = buildRequests(query, range, { timeZone: deps.timeZone });
  const getJson: GetJson = (path, search) => deps.fetchJson(path, search, deps.signal);
  const fetchPlanned = () => fetchAll(requests, getJson);
  const spec = kindSpec(query.kind);
  const responses = spec.load
    ? await spec.load({ query, range, timeZone: deps.timeZone, requests, getJson, fetchPlanned })
    : await fetchPlanned();
  return spec.frames(query, responses, { range, timeZone: deps.timeZone });
}

/** Every request in parallel; the responses keyed by role. */
async function fetchAll(requests: readonly ConnectorRequest[], getJson: GetJson): Promise<Map<string, unknown>> {
  const bodies = await Promise.all(requests.map((r) => getJson(r.path, r.search)));
  return new Map(requests.map((r, i) => [r.role, bodies[i]]));
}
