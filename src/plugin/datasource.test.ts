import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings, type DataQueryResponse } from '@grafana/data';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable, firstValueFrom, lastValueFrom, of, throwError } from 'rxjs';
import { ANNOTATION_QUERY_TYPE } from './annotations';
import { DataSource } from './datasource';
import type { WaspendOptions } from './options';
import type { WaspendQuery } from './query/types';

const PROXY = '/api/datasources/proxy/uid/waspend';
const FROM = Date.UTC(2026, 2, 1);
const TO = Date.UTC(2026, 2, 3);

const settings = (jsonData: WaspendOptions = {}): DataSourceInstanceSettings<WaspendOptions> =>
  ({
    id: 1,
    uid: 'waspend',
    type: 'waspend-whatsapp-datasource',
    name: 'waspend',
    url: PROXY,
    jsonData,
    meta: {} as never,
    access: 'proxy',
    readOnly: false,
  }) as DataSourceInstanceSettings<WaspendOptions>;

/** Grafana's TemplateSrv.replace for the csv format with one multi-value and one single variable. */
const VARS: Record<string, string[]> = { country: ['BR', 'IN'], waba: ['111'] };
const templateSrv = {
  replace: (text?: string, _vars?: unknown, format?: unknown) =>
    (text ?? '').replace(/\$\{?(\w+)(?::\w+)?\}?/g, (whole, name: string) =>
      VARS[name] ? VARS[name]!.join(format === 'csv' ? ',' : '|') : whole,
    ),
};

type Responder = (url: string, options: BackendSrvRequest) => Observable<FetchResponse<unknown>>;
const ok = (data: unknown) => of({ data, status: 200, ok: true } as FetchResponse<unknown>);

function makeDataSource(respond: Responder, jsonData?: WaspendOptions) {
  const calls: BackendSrvRequest[] = [];
  const backendSrv = {
    fetch: <T>(options: BackendSrvRequest) => {
      calls.push(options);
      return respond(options.url, options) as Observable<FetchResponse<T>>;
    },
  };
  return { ds: new DataSource(settings(jsonData), { backendSrv, templateSrv: templateSrv as never }), calls };
}

const usageBody = (rows: Array<{ category: string; cost: string }>) => ({
  source: 'estimate',
  interval: 'day',
  problems: [],
  rows: rows.map((r) => ({ time: FROM, bucket: '2026-03-01', currency: 'USD', messages: 3, billable: 3, ...r })),
});

function request(targets: object[]): DataQueryRequest<WaspendQuery> {
  return {
    requestId: 'Q7',
    interval: '1d',
    intervalMs: 86400000,
    range: { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-2d', to: 'now' } },
    scopedVars: {},
    targets: targets as unknown as WaspendQuery[],
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  };
}

const costQuery = (extra: Record<string, unknown> = {}) => ({
  refId: 'A',
  schemaVersion: 1,
  kind: 'cost',
  groupBy: ['category'],
  ...extra,
});

describe('DataSource.query', () => {
  it('goes through the proxy route with interpolated multi-value filters and returns frames', async () => {
    const { ds, calls } = makeDataSource(() =>
      ok(
        usageBody([
          { category: 'marketing', cost: '1.5' },
          { category: 'utility', cost: '0.25' },
        ]),
      ),
    );
    const res = await lastValueFrom(ds.query(request([costQuery({ filters: { country: ['$country'], waba: ['${waba}'] } })])));
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.url, 'x:/');
    expect(url.pathname).toBe(`${PROXY}/connector/api/v1/usage`);
    expect(url.searchParams.get('country')).toBe('BR,IN');
    expect(url.searchParams.get('waba')).toBe('111');
    expect(url.searchParams.get('from')).toBe(String(FROM));
    expect(calls[0]!.method).toBe('GET');
    expect(res.errors).toEqual([]);
    expect(res.data.map((f) => [f.refId, f.name, f.fields[1]!.values])).toEqual([
      ['A', 'Marketing', [1.5]],
      ['A', 'Utility', [0.25]],
    ]);
  });

  it('skips hidden queries and fetches nothing for them', async () => {
    const { ds, calls } = makeDataSource(() => ok(usageBody([])));
    const res = await lastValueFrom(ds.query(request([costQuery({ hide: true })])));
    expect(calls).toHaveLength(0);
    expect(res.data).toEqual([]);
  });

  it('gives every connector request its own requestId so Grafana does not cancel siblings', async () => {
    const { ds, calls } = makeDataSource(() => ok(usageBody([])));
    await lastValueFrom(ds.query(request([costQuery({ compare: 'previous_period' }), costQuery({ refId: 'B' })])));
    const ids = calls.map((c) => c.requestId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id?.startsWith('Q7-'))).toBe(true);
  });

  it('reports a bad token per query, naming the cause, and keeps the other queries', async () => {
    const { ds } = makeDataSource((url) =>
      url.includes('kind') || url.includes('tiers')
        ? throwError(() => ({ status: 401, data: { error: 'unauthorized', message: 'bad token' }, config: {} }))
        : ok(usageBody([{ category: 'marketing', cost: '2' }])),
    );
    const res = await lastValueFrom(ds.query(request([costQuery(), { refId: 'T', schemaVersion: 1, kind: 'tiers' }])));
    expect(res.state).toBe('Error');
    expect(res.errors).toEqual([{ refId: 'T', message: expect.stringMatching(/refused the API token/) }]);
    expect(res.data.map((f) => f.refId)).toEqual(['A']);
  });

  it('names the field when a query is invalid, without calling the connector', async () => {
    const { ds, calls } = makeDataSource(() => ok(usageBody([])));
    const res = await lastValueFrom(ds.query(request([costQuery({ filters: { category: ['$nosuchvar'] } })])));
    expect(calls).toHaveLength(0);
    expect(res.errors?.[0]?.message).toMatch(/^filters\.category/);
  });

  it('aborts in-flight connector requests when the panel unsubscribes (refresh)', async () => {
    let subscribed = 0;
    let torndown = 0;
    const { ds } = makeDataSource(
      () =>
        new Observable<FetchResponse<unknown>>(() => {
          subscribed += 1;
          return () => {
            torndown += 1;
          };
        }),
    );
    const seen: DataQueryResponse[] = [];
    const sub = ds.query(request([costQuery(), costQuery({ refId: 'B' })])).subscribe((r) => seen.push(r));
    // The fetches start once the query's promise chain has run.
    await Promise.resolve();
    await Promise.resolve();
    expect(subscribed).toBe(2);
    sub.unsubscribe();
    expect(torndown).toBe(2);
    await Promise.resolve();
    expect(seen).toEqual([]);
  });

  it('asks for the month in the configured time zone instead of the dashboard one', async () => {
    const { ds, calls } = makeDataSource(() => ok({ rows: [] }), { timezoneDisplay: 'Pacific/Kiritimati' });
    // 2026-03-31T12:00Z is already April 1st in UTC+14.
    const req = {
      ...request([{ refId: 'T', schemaVersion: 1, kind: 'tiers' }]),
      range: { from: dateTime(FROM), to: dateTime(Date.UTC(2026, 2, 31, 12)), raw: { from: '', to: '' } },
    };
    await lastValueFrom(ds.query(req));
    expect(new URL(calls[0]!.url, 'x:/').searchParams.get('month')).toBe('2026-04');
  });
});

describe('annotations', () => {
  const items = [
    { time: FROM + 5, kind: 'tier', title: 'Tier up', text: 'marketing BR tier 2', wabaId: '111', tags: ['BR'] },
    { time: FROM + 1, kind: 'rate_card', title: 'New rate card', text: '2026-03', wabaId: null, tags: [] },
  ];

  it('prepares a stored annotation into a target query() recognises and returns an event frame', async () => {
    const { ds, calls } = makeDataSource(() => ok({ items }));
    const anno = ds.annotations!.prepareAnnotation!({
      name: 'changes',
      enable: true,
      target: { refId: 'Anno', kinds: ['tier', 'rate_card'], waba: ['$waba'] },
    });
    const target = ds.annotations!.prepareQuery!(anno)!;
    expect(target.queryType).toBe(ANNOTATION_QUERY_TYPE);
    const res = await lastValueFrom(ds.query(request([target])));
    const url = new URL(calls[0]!.url, 'x:/');
    expect(url.pathname).toBe(`${PROXY}/connector/api/v1/annotations`);
    expect(url.searchParams.get('kind')).toBe('tier,rate_card');
    expect(url.searchParams.get('waba')).toBe('111');
    const frame = res.data[0]!;
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual(['time', 'title', 'text', 'tags']);
    expect(frame.fields[0]!.values).toEqual([FROM + 1, FROM + 5]);
    expect(frame.fields[3]!.values).toEqual([['rate_card'], ['tier', 'BR']]);
  });

  it('rejects an unknown annotation kind naming the field', () => {
    const { ds } = makeDataSource(() => ok({ items: [] }));
    expect(() => ds.annotations!.prepareAnnotation!({ target: { kinds: ['weather'] } })).toThrow(/^annotation\.kinds/);
  });
});

describe('variables', () => {
  it('looks a list up through the proxy with a chained $waba applied', async () => {
    const { ds, calls } = makeDataSource(() => ok({ items: [{ value: '+5511', text: 'Acme BR support' }] }));
    const values = await ds.metricFindQuery({ list: 'phones', waba: ['$waba'] });
    expect(values).toEqual([{ text: 'Acme BR support', value: '+5511' }]);
    expect(calls[0]!.url).toBe(`${PROXY}/connector/api/v1/lists/phones?waba=111`);
  });

  it('serves the variable editor queries through the custom variable support', async () => {
    const { ds } = makeDataSource(() => ok({ items: [{ value: 'BR', text: 'Brazil' }] }));
    const support = ds.variables as unknown as { query: (r: unknown) => Observable<DataQueryResponse> };
    const res = await firstValueFrom(support.query({ ...request([]), targets: [{ refId: 'v', list: 'countries' }] }));
    expect(res.data).toEqual([{ text: 'Brazil', value: 'BR' }]);
  });

  it('names the field for an unknown list', async () => {
    const { ds } = makeDataSource(() => ok({ items: [] }));
    await expect(ds.metricFindQuery({ list: 'templates' })).rejects.toThrow(/^variableQuery\.list/);
  });
});

describe('testDatasource', () => {
  const health = (events: number) => ({
    status: 'ok',
    version: '0.1.0',
    store: { ok: true, kind: 'sqlite', events, lastEventAt: null },
    pulls: [],
  });

  const connector =
    (healthBody: unknown, listStatus = 200): Responder =>
    (url) =>
      url.endsWith('/health')
        ? ok(healthBody)
        : listStatus === 200
          ? ok({ items: [] })
          : throwError(() => ({ status: listStatus, data: { error: 'unauthorized', message: 'bad token' }, config: {} }));

  it('calls /health and an authenticated list through the proxy and reports the connector', async () => {
    const { ds, calls } = makeDataSource(connector(health(42)));
    await expect(ds.testDatasource()).resolves.toEqual({ status: 'success', message: expect.stringContaining('42 events') });
    expect(calls.map((c) => c.url)).toEqual([`${PROXY}/connector/health`, `${PROXY}/connector/api/v1/lists/wabas`]);
  });

  it('fails on a wrong token even though /health needs none', async () => {
    const { ds } = makeDataSource(connector(health(42), 401));
    await expect(ds.testDatasource()).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/refused the API token/) });
  });

  it('warns when the connector has no data yet', async () => {
    const { ds } = makeDataSource(connector(health(0)));
    await expect(ds.testDatasource()).resolves.toMatchObject({ status: 'warning', message: expect.stringMatching(/no data yet/) });
  });

  it('says unreachable when the proxy gets no answer, and bad token on 401', async () => {
    const down = makeDataSource(() => throwError(() => ({ status: 502, data: {}, config: {} }))).ds;
    await expect(down.testDatasource()).resolves.toMatchObject({
      status: 'error',
      message: expect.stringMatching(/could not reach the connector/),
    });
    const denied = makeDataSource(() => throwError(() => ({ status: 401, data: {}, config: {} }))).ds;
    await expect(denied.testDatasource()).resolves.toMatchObject({
      status: 'error',
      message: expect.stringMatching(/refused the API token/),
    });
  });
});

describe('defaults', () => {
  it('starts new panels with the default query and treats hidden ones as filtered out', () => {
    const { ds } = makeDataSource(() => ok({}));
    expect(ds.getDefaultQuery()).toMatchObject({ kind: 'cost', schemaVersion: 1 });
    expect(ds.filterQuery({ ...(costQuery() as unknown as WaspendQuery), hide: true })).toBe(false);
    expect(ds.filterQuery(costQuery() as unknown as WaspendQuery)).toBe(true);
  });
});
