/**
 * The dashboard panel queries the bench times: every target of every query panel of every
 * dashboard in dashboards/ (panels inside rows included, read with the dashboard tests' own
 * helpers), turned into connector requests by the plugin's own request building with every
 * variable at "All". A panel added to a dashboard is measured without touching this file.
 */
import { buildRequests } from '../src/plugin/api/request-params';
import { kindSpec } from '../src/plugin/kinds';
import type { GetJson } from '../src/plugin/kinds/spec';
import { prepareQuery } from '../src/plugin/query/run-query';
import { queryPanels, readAllDashboards, type Json } from '../tests/dashboards/dashboard-files';

export interface PanelRequest {
  role: string;
  /** `/api/v1/...?query` as the plugin sends it. */
  path: string;
}

export interface PanelQuery {
  /** `file #id "title" refId`. */
  name: string;
  /** The dashboard file; null for the extra bulk export that is not a panel. */
  file: string | null;
  kind: string;
  /** The requests the plugin plans for the panel. */
  requests: PanelRequest[];
  /**
   * Fetches the panel's data as runQuery does: the kind's own `load` when it has one (it may ask
   * for more than it planned), else every planned request in parallel.
   */
  run(getJson: GetJson): Promise<unknown>;
  /** What the plugin's runQuery is given for this panel (null for the export, which no panel sends). */
  plugin: { stored: Json; replace: (text: string) => string; range: { fromMs: number; toMs: number }; timeZone: string } | null;
}

function fetchPlanned(requests: readonly PanelRequest[], getJson: GetJson): Promise<Map<string, unknown>> {
  return Promise.all(requests.map((r) => getJson(...(r.path.split('?') as [string, string])))).then(
    (bodies) => new Map(requests.map((r, i) => [r.role, bodies[i]])),
  );
}

/**
 * Grafana's replace with every dashboard variable at "All" (its allValue, else `*`: "no filter" to
 * the plugin); a single-value variable without "All" (a custom share) holds its current value.
 */
function replaceWithAll(dashboard: Json) {
  const vars = new Map(((dashboard.templating?.list ?? []) as Json[]).map((v) => [String(v.name), v]));
  return (text: string) =>
    text.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (m, name: string) => {
      const v = vars.get(name);
      if (!v) return m;
      return !v.includeAll && v.current?.value !== undefined ? String(v.current.value) : String(v.allValue ?? '*');
    });
}

/**
 * Every dashboard panel's requests for the range [fromMs, toMs) in `timeZone`, plus the bulk
 * `/pricing-input` export (not a panel; clients that price themselves read it).
 */
export function panelQueries(fromMs: number, toMs: number, timeZone = 'UTC'): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const { file, json } of readAllDashboards()) {
    const replace = replaceWithAll(json);
    for (const panel of queryPanels(json)) {
      for (const target of (panel.targets ?? []) as Json[]) {
        const query = prepareQuery(target, replace);
        // A panel comparing with the previous period asks for the second half of the range, so the
        // period it compares with (the first half) is inside the store too.
        const range = query.compare === 'previous_period' ? { fromMs: toMs - Math.floor((toMs - fromMs) / 2), toMs } : { fromMs, toMs };
        const planned = buildRequests(query, range, { timeZone });
        const requests = planned.map((r) => ({ role: r.role, path: `${r.path}?${r.search}` }));
        const spec = kindSpec(query.kind);
        const run = (getJson: GetJson) =>
          spec.load
            ? spec.load({ query, range, timeZone, requests: planned, getJson, fetchPlanned: () => fetchPlanned(requests, getJson) })
            : fetchPlanned(requests, getJson);
        out.push({
          name: `${file} #${panel.id} "${panel.title}" ${target.refId}`,
          file,
          kind: query.kind,
          requests,
          run,
          plugin: { stored: target, replace, range, timeZone },
        });
      }
    }
  }
  const exportRequests = [{ role: 'main', path: `/api/v1/pricing-input?from=${fromMs}&to=${toMs}&by=category%2Ccountry` }];
  out.push({
    name: 'export: pricing-input by category x country',
    file: null,
    kind: 'pricing-input',
    requests: exportRequests,
    run: (getJson) => fetchPlanned(exportRequests, getJson),
    plugin: null,
  });
  return out;
}

/**
 * The same request over another range (epoch ms or YYYY-MM-DD, as the contract accepts): from/to
 * replaced where the request has them (a tiers request names a month and is kept).
 */
export function withRange(p: string, from: string, to: string): string {
  const [base, search = ''] = p.split('?');
  const params = new URLSearchParams(search);
  if (!params.has('from') || !params.has('to')) return p;
  params.set('from', from);
  params.set('to', to);
  return `${base}?${params.toString()}`;
}
