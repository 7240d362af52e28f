import {
  DataSourceApi,
  LoadingState,
  type AdHocVariableFilter,
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
import { getBackendSrv, getTemplateSrv, type BackendSrv, type TemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { API_PREFIX } from '@contract';
import { createAnnotationSupport, runAnnotationQuery, type AnnotationEditor } from './annotation-support';
import { isAnnotationTarget, type WaspendAnnotationQuery } from './annotations';
import { ConnectorClient, errorMessage } from './api/client';
import { describeHealth } from './api/connector-status';
import type { TimeRangeMs } from './api/connector-request';
import { buildListRequest, parseVariableQuery, toMetricFindValues } from './api/lookups';
import { ADHOC_KEYS, isAdhocKey } from './query/adhoc';
import { createDefaultQuery } from './query/defaults';
import { queryDisplayText } from './query/display-text';
import { migrateQuery } from './query/migrate';
import { prepareQuery, runQuery } from './query/run-query';
import type { WaspendQuery } from './query/types';
import { PROXY_ROUTE, resolveTimeZone, type WaspendOptions } from './options';
import { WaspendVariableSupport, type VariableEditor } from './variables';

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

/** The editors Grafana shows for variables and annotations: views, so module.ts passes them in. */
export interface DataSourceViews {
  variableEditor: VariableEditor;
  annotationEditor: AnnotationEditor;
}

/** Built without views (unit tests of the data source alone): nothing to draw. */
const NO_VARIABLE_EDITOR: VariableEditor = () => null;

/**
 * Frontend-only data source, the wiring between Grafana and the plugin's modules: every request goes
 * through the ConnectorClient (api/client.ts) to Grafana's data-source proxy, which adds the
 * connector URL and the API token on the server, so neither ever reaches the browser.
 */
export class DataSource extends DataSourceApi<WaspendQuery, WaspendOptions> {
  readonly proxyBase: string;
  private readonly settings: WaspendOptions;
  private readonly services: DataSourceServices;
  private readonly client: ConnectorClient;

  constructor(
    instanceSettings: DataSourceInstanceSettings<WaspendOptions>,
    services: DataSourceServices = {},
    views: Partial<DataSourceViews> = {},
  ) {
    super(instanceSettings);
    this.proxyBase = `${instanceSettings.url ?? ''}/${PROXY_ROUTE}`;
    this.settings = instanceSettings.jsonData ?? {};
    this.services = services;
    // Looked up per call, not in the constructor: Grafana sets its services after plugins load.
    this.client = new ConnectorClient(this.proxyBase, () => this.services.backendSrv ?? getBackendSrv());
    this.annotations = createAnnotationSupport(views.annotationEditor);
    this.variables = new WaspendVariableSupport(this, views.variableEditor ?? NO_VARIABLE_EDITOR);
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
        const fetchJson = this.client.fetcher(`${request.requestId}-${target.refId ?? index}`);
        if (isAnnotationTarget(target))
          return runAnnotationQuery(target, range, {
            fetchJson,
            signal: controller.signal,
            replace: this.replace,
            scopedVars: request.scopedVars,
          });
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
    try {
      const health = describeHealth(await this.client.get('/health'));
      if (health.status === 'error') return health;
      await this.client.get(`${API_PREFIX}/lists/wabas`);
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
    return toMetricFindValues(await this.client.get(request.path, request.search));
  }

  /** Values for a template variable: one of the connector's /lists, optionally narrowed by WABA. */
  override async metricFindQuery(query: unknown, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const request = buildListRequest(parseVariableQuery(query), (text, vars, format) =>
      this.templateSrv.replace(text, vars ?? options?.scopedVars, format),
    );
    return toMetricFindValues(await this.client.get(request.path, request.search));
  }
}
