import {
  DataSourceApi,
  FieldType,
  LoadingState,
  createDataFrame,
  type AdHocVariableFilter,
  type AnnotationSupport,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv, isFetchError, type BackendSrv, type FetchResponse, type TemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { API_PREFIX } from '@contract';
import { buildAnnotationsRequest, buildListRequest, parseVariableQuery, toAnnotationEvents, toMetricFindValues } from './api/lookups';
import { describeFetchError, describeHealth } from './api/connector-status';
import type { TimeRangeMs } from './api/request-params';
import { isAnnotationTarget, normaliseAnnotationTarget, type WaspendAnnotationQuery } from './annotations';
import { ADHOC_KEYS, isAdhocKey } from './query/adhoc';
import { createDefaultQuery } from './query/defaults';
import { queryDisplayText } from './query/display-text';
import { migrateQuery } from './query/migrate';
import { interpolateList } from './query/interpolate';
import { prepareQuery, runQuery, type FetchJson } from './query/run-query';
import type { WaspendQuery } from './query/types';
import { PROXY_ROUTE, resolveTimeZone, type WaspendOptions } from './options';
import { WaspendVariableSupport } from './variables';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';

/** The parts of Grafana's runtime services the data source uses; tests pass fakes. */
export interface DataSourceServices {
  backendSrv?: Pick<BackendSrv, 'fetch'>;
  templateSrv?: Pick<TemplateSrv, 'replace'> & LegacyAdhocSource;
}

/**
 * Dashboards not yet on Scenes (Grafana 11.x with the dashboardScene toggle off) do not put ad-hoc
 * filters in the request; their TemplateSrv had getAdhocFilters(datasourceName), since removed from
 * the type (absent in @grafana/runtime 13.2), hence optional.
 */
interface LegacyAdhocSource {
  getAdhocFilters?(datasourceName: string): AdHocVariableFilter[];
}

/**
 * Frontend-only data source: every request goes to `<instanceSettings.url>/connector/...`, which is
 * Grafana's data-source proxy. The proxy adds the connector URL and the API token on the server,
 * so neither ever reaches the browser.
 */
export class DataSource extends DataSourceApi<WaspendQuery, WaspendOptions> {
  readonly proxyBase: string;
  private readonly settings: WaspendOptions;
  private readonly services: DataSourceServices;

  constructor(instanceSettings: DataSourceInstanceSettings<WaspendOptions>, services: DataSourceServices = {}) {
    super(instanceSettings);
    this.proxyBase = `${instanceSettings.url ?? ''}/${PROXY_ROUTE}`;
    this.settings = instanceSettings.jsonData ?? {};
    this.services = services;
    this.annotations = createAnnotationSupport();
    this.variables = new WaspendVariableSupport(this);
  }

  // Looked up per call, not in the constructor: Grafana sets its services after plugins load.
  private get backendSrv(): Pick<BackendSrv, 'fetch'> {
    return this.services.backendSrv ?? getBackendSrv();
  }
  private get templateSrv(): Pick<TemplateSrv, 'replace'> & LegacyAdhocSource {
    return this.services.templateSrv ?? getTemplateSrv();
  }

  private readonly replace = (text: string, vars: ScopedVars | undefined, format?: string) => this.templateSrv.replace(text, vars, format);

  /**
   * Ad-hoc filters of a request: Scenes dashboards (Grafana 11.3+ default, all of 12 and 13) pass
   * them as request.filters (@grafana/scenes SceneQueryRunner, prepareRequests); older dashboards
   * only through TemplateSrv.getAdhocFilters.
   */
  private adhocFiltersOf(request: { filters?: AdHocVariableFilter[] }): AdHocVariableFilter[] | undefined {
    return request.filters ?? this.templateSrv.getAdhocFilters?.(this.name);
  }

  override getDefaultQuery(): Partial<WaspendQuery> {
    const { refId: _refId, ...rest } = createDefaultQuery();
    return rest;
  }

  /** Hidden queries are neither fetched nor shown. */
  override filterQuery(query: WaspendQuery): boolean {
    return !query.hide;
  }

  /**
   * One response for all targets. Unsubscribing (dashboard refresh, panel removed, time range
   * changed) aborts every connector request still in flight, so a superseded query never lands.
   */
  override query(request: DataQueryRequest<WaspendQuery>): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((subscriber) => {
      const controller = new AbortController();
      const range: TimeRangeMs = { fromMs: request.range.from.valueOf(), toMs: request.range.to.valueOf() };
      const timeZone = resolveTimeZone(this.settings.timezoneDisplay, request.timezone);
      const targets = request.targets.filter((t) => this.filterQuery(t));
      const adhocFilters = this.adhocFiltersOf(request);
      const runOne = (target: WaspendQuery | WaspendAnnotationQuery, index: number): Promise<DataFrame[]> => {
        const fetchJson = this.fetchJsonFor(`${request.requestId}-${target.refId ?? index}`);
        if (isAnnotationTarget(target)) return this.runAnnotationTarget(target, range, fetchJson, controller.signal, request.scopedVars);
        return runQuery(
          target,
          range,
          { fetchJson, replace: this.replace, timeZone, signal: controller.signal, adhocFilters },
          request.scopedVars,
        );
      };
      Promise.allSettled(targets.map(runOne)).then((results) => {
        if (controller.signal.aborted) return;
        const data: DataFrame[] = [];
        const errors: DataQueryError[] = [];
        results.forEach((r, i) => {
          if (r.status === 'fulfilled') data.push(...r.value);
          else errors.push({ refId: targets[i]!.refId, message: errorMessage(r.reason) });
        });
        subscriber.next({ data, errors, state: errors.length ? LoadingState.Error : LoadingState.Done });
        subscriber.complete();
      });
      return () => controller.abort();
    });
  }

  /**
   * "Save & test": GET /health through the proxy, then one authenticated call. The connector
   * answers /health without a token (for liveness probes), so only the second call proves the
   * token; without it a wrong token would pass the test and fail every panel.
   */
  override async testDatasource(): Promise<TestDataSourceResponse> {
    const fetchJson = this.fetchJsonFor(undefined);
    const signal = new AbortController().signal;
    try {
      const health = describeHealth(await fetchJson('/health', '', signal));
      if (health.status === 'error') return health;
      await fetchJson(`${API_PREFIX}/lists/wabas`, '', signal);
      return health;
    } catch (err) {
      return { status: 'error', message: errorMessage(err) };
    }
  }

  /**
   * The query with template variables and ad-hoc filters applied, as the connector will be asked.
   * The signature is DataSourceWithBackend's (@grafana/runtime), so callers that know it work here.
   */
  applyTemplateVariables(query: WaspendQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): WaspendQuery {
    return prepareQuery(query, this.replace, scopedVars, filters);
  }

  /**
   * Explore, "open in Explore" and panel links call this before leaving the dashboard, where its
   * variables no longer exist: `$waba` must be resolved here. A query that cannot be prepared (a
   * stored shape that fails migration, contradictory ad-hoc filters) is returned as it was, so
   * Explore reports its error instead of running something else.
   */
  override interpolateVariablesInQueries(queries: WaspendQuery[], scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): WaspendQuery[] {
    return queries.map((q) => {
      if (isAnnotationTarget(q)) return q;
      try {
        return { ...this.applyTemplateVariables(q, scopedVars, filters), ...(q.datasource ? { datasource: q.datasource } : {}) };
      } catch {
        return q;
      }
    });
  }

  /** Query history and collapsed query rows show this line instead of the JSON. */
  override getQueryDisplayText(query: WaspendQuery): string {
    try {
      return queryDisplayText(migrateQuery(query));
    } catch {
      return `waspend ${String((query as { kind?: unknown }).kind ?? 'query')}`;
    }
  }

  /** Ad-hoc filter keys: the dimensions the connector can filter on and list values for. */
  override async getTagKeys(): Promise<MetricFindValue[]> {
    return Object.keys(ADHOC_KEYS).map((key) => ({ text: key, value: key }));
  }

  /** Values of an ad-hoc key, from the connector's list endpoint for it (value = id, text = label). */
  override async getTagValues(options: DataSourceGetTagValuesOptions<WaspendQuery>): Promise<MetricFindValue[]> {
    if (!isAdhocKey(options.key)) return [];
    const request = buildListRequest({ list: ADHOC_KEYS[options.key].list }, this.replace);
    const body = await this.fetchJsonFor(undefined)(request.path, request.search, new AbortController().signal);
    return toMetricFindValues(body);
  }

  /** Values for a template variable: one of the connector's /lists, optionally narrowed by WABA. */
  override async metricFindQuery(query: unknown, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const request = buildListRequest(parseVariableQuery(query), (text, vars, format) =>
      this.templateSrv.replace(text, vars ?? options?.scopedVars, format),
    );
    const body = await this.fetchJsonFor(undefined)(request.path, request.search, new AbortController().signal);
    return toMetricFindValues(body);
  }

  private async runAnnotationTarget(
    target: WaspendAnnotationQuery,
    range: TimeRangeMs,
    fetchJson: FetchJson,
    signal: AbortSignal,
    scopedVars: ScopedVars | undefined,
  ): Promise<DataFrame[]> {
    const q = normaliseAnnotationTarget(target);
    const waba = interpolateList(q.waba, (text, vars, format) => this.templateSrv.replace(text, vars, format), scopedVars);
    const request = buildAnnotationsRequest(range, q.kinds, waba);
    const events = toAnnotationEvents(await fetchJson(request.path, request.search, signal));
    return [
      createDataFrame({
        refId: target.refId,
        name: 'waspend events',
        fields: [
          { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
          { name: 'title', type: FieldType.string, values: events.map((e) => e.title) },
          { name: 'text', type: FieldType.string, values: events.map((e) => e.text) },
          { name: 'tags', type: FieldType.other, values: events.map((e) => e.tags) },
        ],
      }),
    ];
  }

  /**
   * GET through the proxy, resolving to the JSON body. Each connector request gets its own
   * requestId (Grafana cancels an earlier request with the same id), and aborting the signal
   * unsubscribes, which cancels the HTTP request.
   */
  private fetchJsonFor(requestId: string | undefined): FetchJson {
    let n = 0;
    return (path, search, signal) => {
      const url = `${this.proxyBase}${path}${search ? `?${search}` : ''}`;
      const id = requestId === undefined ? undefined : `${requestId}-${n++}`;
      return new Promise<unknown>((resolve, reject) => {
        if (signal.aborted) return reject(new Error('request cancelled'));
        const onAbort = () => {
          sub.unsubscribe();
          reject(new Error('request cancelled'));
        };
        const settle = () => signal.removeEventListener('abort', onAbort);
        signal.addEventListener('abort', onAbort, { once: true });
        const sub = this.backendSrv
          .fetch<unknown>({ url, method: 'GET', requestId: id, showErrorAlert: false, showSuccessAlert: false })
          .subscribe({
            next: (res: FetchResponse<unknown>) => {
              settle();
              resolve(res.data);
            },
            error: (err: unknown) => {
              settle();
              reject(toConnectorError(err));
            },
          });
      });
    };
  }
}

/** A failed proxied request as an Error whose message names the cause (see connector-status.ts). */
function toConnectorError(err: unknown): Error {
  if (isFetchError(err)) return new Error(describeFetchError(err.status ?? 0, err.data));
  return err instanceof Error ? err : new Error(String(err));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Annotations run through query(): Grafana takes the annotation's target (kinds + WABAs), calls
 * query() with it and reads events from the frame's time/title/text/tags fields.
 */
function createAnnotationSupport(): AnnotationSupport<WaspendQuery> {
  // The annotation target is not a WaspendQuery; query() tells them apart by queryType, hence the casts.
  const asQuery = (t: WaspendAnnotationQuery) => t as unknown as WaspendQuery;
  const targetOf = (anno: { target?: unknown } | undefined) =>
    normaliseAnnotationTarget((anno?.target ?? {}) as Partial<WaspendAnnotationQuery>);
  return {
    prepareAnnotation: (json) => ({ ...json, target: asQuery(targetOf(json)) }),
    prepareQuery: (anno) => asQuery(targetOf(anno)),
    getDefaultQuery: () => asQuery(normaliseAnnotationTarget({})),
    QueryEditor: AnnotationQueryEditor as unknown as AnnotationSupport<WaspendQuery>['QueryEditor'],
  };
}
