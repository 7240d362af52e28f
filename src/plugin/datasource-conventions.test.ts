// Grafana's data-source conventions, with stand-ins for TemplateSrv and the data-source proxy:
// Explore interpolation, query history text, chained variables, ad-hoc filters and the proxy's
// refused-token answer.
import { dateTime, type AdHocVariableFilter, type DataQueryRequest, type DataQueryResponse, type ScopedVars } from '@grafana/data';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, of, throwError, type Observable } from 'rxjs';
import { TOKEN_REFUSED_MESSAGE } from './api/connector-status';
import { DataSource } from './datasource';
import type { WaspendQuery } from './query/types';

const PROXY = '/api/datasources/proxy/uid/waspend';
const FROM = Date.UTC(2026, 2, 1);
const TO = Date.UTC(2026, 2, 3);

/**
 * TemplateSrv.replace as Grafana behaves for these cases: a dashboard variable may be single or
 * multi-valued, scopedVars win over dashboard values, the `csv` format joins a multi-value with
 * commas, "All" without a custom all value expands to every option, and an unknown variable is
 * left untouched.
 */
function templateService(vars: Record<string, string | string[]>, options: Record<string, string[]> = {}) {
  const replace = (text?: string, scoped?: ScopedVars, format?: unknown) =>
    (text ?? '').replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (whole, a?: string, fmt?: string, b?: string) => {
      const name = (a ?? b)!;
      const raw = (scoped?.[name]?.value as string | string[] | undefined) ?? vars[name];
      if (raw === undefined) return whole;
      const list = raw === '$__all' ? (options[name] ?? []) : Array.isArray(raw) ? raw : [raw];
      return (fmt ?? format) === 'csv' ? list.join(',') : list.length > 1 ? `{${list.join(',')}}` : list.join('');
    });
  return { replace };
}

/** The connector's usage rows for two countries; the stand-in answers them filtered like the connector. */
const USAGE_ROWS = [
  { time: FROM, bucket: '2026-03-01', country: 'BR', category: 'marketing', currency: 'BRL', messages: 40, billable: 40, cost: '25.00' },
  { time: FROM, bucket: '2026-03-01', country: 'IN', category: 'marketing', currency: 'BRL', messages: 7, billable: 7, cost: '3.50' },
  {
    time: FROM + 86400000,
    bucket: '2026-03-02',
    country: 'BR',
    category: 'utility',
    currency: 'BRL',
    messages: 12,
    billable: 12,
    cost: '1.20',
  },
  {
    time: FROM + 86400000,
    bucket: '2026-03-02',
    country: 'IN',
    category: 'utility',
    currency: 'BRL',
    messages: 5,
    billable: 5,
    cost: '0.25',
  },
];
const LISTS: Record<string, Array<{ value: string; text: string }>> = {
  countries: [
    { value: 'BR', text: 'Brazil' },
    { value: 'IN', text: 'India' },
  ],
  phones: [
    { value: 'p1', text: '+55 11 1111-1111' },
    { value: 'p2', text: '+91 22 2222 2222' },
  ],
};

function standInConnector() {
  const calls: URL[] = [];
  const backendSrv = {
    fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => {
      const url = new URL(options.url, 'http://grafana');
      calls.push(url);
      const path = url.pathname.replace(`${PROXY}/connector`, '');
      const respond = (data: unknown) => of({ data, status: 200, ok: true } as FetchResponse<T>);
      if (path === '/api/v1/usage') {
        const countries = url.searchParams.get('country')?.split(',');
        const rows = USAGE_ROWS.filter((r) => !countries || countries.includes(r.country));
        return respond({ source: 'estimate', interval: 'day', problems: [], rows: rows.map(({ country: _c, ...r }) => r) });
      }
      const list = path.match(/^\/api\/v1\/lists\/(\w+)$/)?.[1];
      if (list) return respond({ items: LISTS[list] ?? [] });
      return throwError(() => ({ status: 404, data: { message: 'not found' } }));
    },
  };
  return { backendSrv, calls };
}

function makeDataSource(template = templateService({})) {
  const connector = standInConnector();
  const ds = new DataSource(
    {
      id: 1,
      uid: 'waspend',
      type: 'waspend-whatsapp-datasource',
      name: 'waspend',
      url: PROXY,
      jsonData: {},
      meta: {} as never,
      access: 'proxy',
      readOnly: false,
    },
    { backendSrv: connector.backendSrv, templateSrv: template as never },
  );
  return { ds, calls: connector.calls };
}

function request(targets: object[], extra: Partial<DataQueryRequest<WaspendQuery>> = {}): DataQueryRequest<WaspendQuery> {
  return {
    requestId: 'R1',
    interval: '1d',
    intervalMs: 86400000,
    range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-2d', to: 'now' } },
    scopedVars: {},
    targets: targets as unknown as WaspendQuery[],
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
    ...extra,
  };
}

const costByCategory = (filters: Record<string, string[]> = {}) =>
  ({
    refId: 'A',
    schemaVersion: 1,
    kind: 'cost',
    groupBy: ['category'],
    source: 'estimate',
    interval: 'day',
    filters,
  }) as unknown as WaspendQuery;

/** Frame name -> summed values of its number field. */
const totals = (res: DataQueryResponse) =>
  Object.fromEntries(res.data.map((f) => [f.name, (f.fields[1]!.values as number[]).reduce((a, b) => a + b, 0)]));

describe('interpolateVariablesInQueries (Explore, "open in Explore")', () => {
  const dashboard = templateService({ waba: ['111', '222'], country: 'BR', cat: '$__all' }, { cat: ['marketing', 'utility'] });

  it('resolves single, multi-value, scoped and All variables into concrete filter values', () => {
    const { ds } = makeDataSource(dashboard);
    const [q] = ds.interpolateVariablesInQueries(
      [costByCategory({ waba: ['$waba'], country: ['${country}'], phone: ['$phone'], category: ['$cat'] })],
      { phone: { text: 'p2', value: 'p2' } },
    );
    expect(q!.filters).toMatchObject({ waba: ['111', '222'], country: ['BR'], phone: ['p2'], category: ['marketing', 'utility'] });
    expect(JSON.stringify(q)).not.toContain('$');
    expect(q).toMatchObject({ refId: 'A', kind: 'cost', groupBy: ['category'], schemaVersion: 1 });
  });

  it('gives a query that asks the connector the same thing once the dashboard variables are gone', async () => {
    const onDashboard = makeDataSource(dashboard);
    const stored = costByCategory({ waba: ['$waba'], country: ['$country'] });
    await lastValueFrom(onDashboard.ds.query(request([stored])));
    const [explored] = onDashboard.ds.interpolateVariablesInQueries([stored], {});
    // Explore: a TemplateSrv that knows none of the dashboard's variables.
    const inExplore = makeDataSource(templateService({}));
    const res = await lastValueFrom(inExplore.ds.query(request([explored!])));
    expect(res.errors).toEqual([]);
    expect(inExplore.calls[0]!.search).toBe(onDashboard.calls[0]!.search);
    expect(inExplore.calls[0]!.searchParams.get('waba')).toBe('111,222');
    // Without interpolation the same query fails in Explore on the unresolved variable.
    const raw = await lastValueFrom(inExplore.ds.query(request([stored])));
    expect(raw.errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^filters\.waba:.*template variable/) }]);
  });

  it('bakes the dashboard ad-hoc filters in, and leaves an unpreparable query as it was', () => {
    const { ds } = makeDataSource(dashboard);
    const [q] = ds.interpolateVariablesInQueries([costByCategory()], {}, [{ key: 'country', operator: '=', value: 'IN' }]);
    expect(q!.filters.country).toEqual(['IN']);
    const broken = { refId: 'B', kind: 'nonsense' } as unknown as WaspendQuery;
    expect(ds.interpolateVariablesInQueries([broken], {})).toEqual([broken]);
  });
});

describe('getQueryDisplayText (query history)', () => {
  it('names the kind, source, split, filters and compare mode, variables as written', () => {
    const { ds } = makeDataSource();
    const q = { ...costByCategory({ waba: ['$waba'], country: ['BR', 'IN'] }), compare: 'previous_period' } as WaspendQuery;
    expect(ds.getQueryDisplayText(q)).toBe(
      'Cost · source estimate · by category · waba = $waba · country = BR, IN · per day · vs previous period',
    );
    expect(ds.getQueryDisplayText({ refId: 'T', schemaVersion: 1, kind: 'tiers' } as unknown as WaspendQuery)).toBe('Volume tiers');
    expect(
      ds.getQueryDisplayText({
        refId: 'C',
        schemaVersion: 1,
        kind: 'billing',
        metric: 'unique_contacts',
        interval: 'month',
      } as unknown as WaspendQuery),
    ).toBe('Billing (unique contacts) · source estimate · per month');
  });
});

describe('chained variables ($phone narrowed by $waba)', () => {
  it('calls the phones list with every selected WABA of a multi-value $waba', async () => {
    const { ds, calls } = makeDataSource(templateService({ waba: ['111', '222'] }));
    await expect(ds.metricFindQuery({ list: 'phones', waba: ['$waba'] })).resolves.toEqual([
      { text: '+55 11 1111-1111', value: 'p1' },
      { text: '+91 22 2222 2222', value: 'p2' },
    ]);
    expect(calls[0]!.pathname).toBe(`${PROXY}/connector/api/v1/lists/phones`);
    expect(calls[0]!.searchParams.get('waba')).toBe('111,222');
  });

  it("treats $waba = All (Grafana's $__all custom value or every option) as no narrowing", async () => {
    const custom = makeDataSource(templateService({ waba: '$__all' }));
    await custom.ds.metricFindQuery({ list: 'phones', waba: ['$waba'] });
    expect(custom.calls[0]!.searchParams.has('waba')).toBe(false);
    const star = makeDataSource({ replace: () => '*' });
    await star.ds.metricFindQuery({ list: 'phones', waba: ['$waba'] });
    expect(star.calls[0]!.searchParams.has('waba')).toBe(false);
  });

  it('runs through the custom variable support with the request scopedVars (the variable editor path)', async () => {
    const { ds, calls } = makeDataSource(templateService({}));
    const support = ds.variables as unknown as { query: (r: unknown) => Observable<DataQueryResponse> };
    const res = await lastValueFrom(
      support.query({ targets: [{ refId: 'v', list: 'phones', waba: ['$waba'] }], scopedVars: { waba: { text: '333', value: '333' } } }),
    );
    expect(res.data).toHaveLength(2);
    expect(calls[0]!.searchParams.get('waba')).toBe('333');
  });

  it('names the field when the WABA variable does not exist, without calling the connector', async () => {
    const { ds, calls } = makeDataSource(templateService({}));
    await expect(ds.metricFindQuery({ list: 'phones', waba: ['$nowhere'] })).rejects.toThrow(/^variableQuery\.waba:.*template variable/);
    expect(calls).toHaveLength(0);
  });
});

describe('ad-hoc filters', () => {
  it('offers country, category, phone and group as keys', async () => {
    const { ds } = makeDataSource();
    expect(await ds.getTagKeys!()).toEqual(['country', 'category', 'phone', 'group'].map((k) => ({ text: k, value: k })));
  });

  it("takes a key's values from the connector's list endpoint", async () => {
    const { ds, calls } = makeDataSource();
    await expect(ds.getTagValues!({ key: 'country', filters: [] })).resolves.toEqual([
      { text: 'Brazil', value: 'BR' },
      { text: 'India', value: 'IN' },
    ]);
    expect(calls[0]!.pathname).toBe(`${PROXY}/connector/api/v1/lists/countries`);
    await expect(ds.getTagValues!({ key: 'job', filters: [] })).resolves.toEqual([]);
  });

  // Expected figures from USAGE_ROWS by hand: BR marketing 25.00, BR utility 1.20.
  it('country = BR in request.filters (Scenes) narrows the request and the frames equal the filtered answer', async () => {
    const { ds, calls } = makeDataSource();
    const res = await lastValueFrom(ds.query(request([costByCategory()], { filters: [{ key: 'country', operator: '=', value: 'BR' }] })));
    expect(res.errors).toEqual([]);
    expect(calls[0]!.searchParams.get('country')).toBe('BR');
    expect(totals(res)).toEqual({ Marketing: 25, Utility: 1.2 });
    // Unfiltered, the same query includes India (25 + 3.50, 1.20 + 0.25): the filter made the difference.
    const all = makeDataSource();
    expect(totals(await lastValueFrom(all.ds.query(request([costByCategory()]))))).toEqual({ Marketing: 28.5, Utility: 1.45 });
  });

  it('reads them from TemplateSrv.getAdhocFilters when the request has none (dashboards before Scenes)', async () => {
    const legacy = {
      ...templateService({}),
      getAdhocFilters: (name: string) => (name === 'waspend' ? [{ key: 'country', operator: '=', value: 'IN' }] : []),
    };
    const { ds, calls } = makeDataSource(legacy as never);
    const res = await lastValueFrom(ds.query(request([costByCategory()])));
    expect(calls[0]!.searchParams.get('country')).toBe('IN');
    expect(totals(res)).toEqual({ Marketing: 3.5, Utility: 0.25 });
  });

  it('applies them through applyTemplateVariables(query, scopedVars, filters) too, intersecting with the query', () => {
    const { ds } = makeDataSource(templateService({ country: ['BR', 'IN'] }));
    const filters: AdHocVariableFilter[] = [{ key: 'country', operator: '=|', value: 'IN', values: ['IN', 'MX'] }];
    expect(ds.applyTemplateVariables(costByCategory({ country: ['$country'] }), {}, filters).filters.country).toEqual(['IN']);
  });

  it('refuses what the connector cannot do, naming the filter, instead of showing unfiltered figures', async () => {
    const { ds, calls } = makeDataSource();
    const notEqual = await lastValueFrom(
      ds.query(request([costByCategory()], { filters: [{ key: 'country', operator: '!=', value: 'BR' }] })),
    );
    expect(notEqual.errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^adhocFilters\.country:.*operator/) }]);
    const clash = await lastValueFrom(
      ds.query(request([costByCategory({ country: ['IN'] })], { filters: [{ key: 'country', operator: '=', value: 'BR' }] })),
    );
    expect(clash.errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^filters\.country:.*leaves none/) }]);
    expect(calls).toHaveLength(0);
  });
});

describe('a refused token through Grafana', () => {
  it("shows the token message for the proxy's 400 'Authentication to data source failed', in panels and Save & test", async () => {
    // What backendSrv.fetch rejects with after ds_proxy.go rewrote the connector's 401.
    const proxied = {
      status: 400,
      statusText: 'Bad Request',
      data: { error: 'Bad Request', response: 'Authentication to data source failed', message: 'Authentication to data source failed' },
      config: {},
    };
    const ds = new DataSource(
      { id: 1, uid: 'w', type: 't', name: 'waspend', url: PROXY, jsonData: {}, meta: {} as never, access: 'proxy', readOnly: false },
      { backendSrv: { fetch: () => throwError(() => proxied) }, templateSrv: templateService({}) as never },
    );
    const res = await lastValueFrom(ds.query(request([costByCategory()])));
    expect(res.errors).toEqual([{ refId: 'A', message: TOKEN_REFUSED_MESSAGE }]);
    await expect(ds.testDatasource()).resolves.toEqual({ status: 'error', message: TOKEN_REFUSED_MESSAGE });
  });
});
