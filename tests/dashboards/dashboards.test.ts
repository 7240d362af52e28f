import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseQuery } from '../../src/plugin/query/schema';
import { findUnresolvedVariable, interpolateQuery, type ReplaceFn } from '../../src/plugin/query/interpolate';
import { buildRequests } from '../../src/plugin/api/request-params';
import { parseVariableQuery } from '../../src/plugin/api/lookups';
import { ANNOTATION_QUERY_TYPE, normaliseAnnotationTarget } from '../../src/plugin/annotations';
import type { WaspendQuery } from '../../src/plugin/query/types';
import {
  EXPECTED_DASHBOARDS,
  PLUGIN_ID,
  REPO_ROOT,
  VARIABLE_LIST,
  allPanels,
  dashboardFileNames,
  queryPanels,
  readAllDashboards,
  readDashboard,
  where,
  type Json,
} from './dashboard-files';

// Static checks of the dashboard JSON Grafana provisions: no Grafana server runs on our machines, so
// a query the plugin would reject, a variable nobody defined or an overlapping panel must be caught here.

const dashboards = readAllDashboards();
const DS_REF = { type: PLUGIN_ID, uid: '${datasource}' };

const QUICK_RANGES = [
  { display: 'Yesterday', from: 'now-1d/d', to: 'now-1d/d' },
  { display: 'Last 7 days', from: 'now-7d', to: 'now' },
  { display: 'This month', from: 'now/M', to: 'now' },
  { display: 'Last 30 days', from: 'now-30d', to: 'now' },
  { display: 'Last 90 days', from: 'now-90d', to: 'now' },
];

/** Grafana's replace with every dashboard variable set to `value` (csv format, as interpolate asks). */
function replaceAllWith(variables: Json[], value: (v: Json) => string): ReplaceFn {
  const byName = new Map(variables.map((v) => [v.name as string, v]));
  return (text) => text.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (m, name: string) => (byName.has(name) ? value(byName.get(name)!) : m));
}

/** A real-looking concrete value per variable, so the contract's enums (category) are exercised. */
const SAMPLE_VALUE: Record<string, string> = {
  waba: '102290129340398',
  phone: '106540352242922',
  country: 'BR',
  category: 'marketing,utility',
};

/** Transformation ids in Grafana 12/13's transformation picker that these dashboards may use. */
const GRAFANA_TRANSFORMATIONS = new Set([
  'calculateField',
  'concatenate',
  'filterFieldsByName',
  'filterByRefId',
  'filterByValue',
  'formatTime',
  'groupBy',
  'joinByField',
  'labelsToFields',
  'limit',
  'merge',
  'organize',
  'reduce',
  'renameByRegex',
  'seriesToRows',
  'sortBy',
  'transpose',
]);

const RANGE = { fromMs: Date.UTC(2026, 9, 1), toMs: Date.UTC(2026, 9, 31) };

/**
 * The dashboard schema versions each Grafana line the plugin supports can load. Grafana 12+ migrates
 * a classic dashboard on the server (apps/dashboard/pkg/migration/migrate.go): below MIN_VERSION (21)
 * it refuses, and a version above its LATEST_VERSION is never "migrated to target version", which
 * is an error, so the number must not be newer than the oldest supported Grafana's. The frontend
 * DashboardMigrator (DASHBOARD_SCHEMA_VERSION) runs the steps above a dashboard's version on load.
 * 11.6 writes 41 (11.5 wrote 40); 12.0 has LATEST_VERSION 41 (schemaversion/migrations.go);
 * 13.2 has DASHBOARD_SCHEMA_VERSION 42 (migration 42, migrateHideFromFunctionality, runs on read).
 */
const GRAFANA_SCHEMA_VERSIONS = [
  { grafana: '11.6', min: 21, latest: 41 },
  { grafana: '12.0', min: 21, latest: 41 },
  { grafana: '13.2', min: 21, latest: 42 },
];

test('dashboards/ holds exactly the four waspend dashboards', () => {
  expect(dashboardFileNames()).toEqual(EXPECTED_DASHBOARDS.map((d) => d.file).sort());
});

describe.each(EXPECTED_DASHBOARDS)('$file', (expected) => {
  const d = readDashboard(expected.file);
  const variables = (d.templating?.list ?? []) as Json[];
  const panels = allPanels(d);

  test('has its uid and title and a fresh id', () => {
    expect(d.uid).toBe(expected.uid);
    expect(d.title).toBe(expected.title);
    // Provisioned dashboards are matched by uid; a numeric id from another instance would clash.
    expect(d.id ?? null).toBeNull();
  });

  test.each(GRAFANA_SCHEMA_VERSIONS)('loads on Grafana $grafana (schema versions $min to $latest)', ({ min, latest }) => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(min);
    expect(d.schemaVersion).toBeLessThanOrEqual(latest);
  });

  test('offers the finance quick ranges in the time picker', () => {
    expect(d.timepicker.quick_ranges).toEqual(QUICK_RANGES);
  });

  test('has a data-source variable limited to the waspend plugin', () => {
    const ds = variables.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: PLUGIN_ID, multi: false });
  });

  test('has its filter variables as multi-value plugin list queries whose All means "no filter"', () => {
    const names = variables.filter((v) => v.type === 'query').map((v) => v.name);
    expect(names).toEqual(expected.variables);
    for (const v of variables.filter((x) => x.type === 'query')) {
      expect(v.datasource).toEqual(DS_REF);
      expect({ name: v.name, multi: v.multi, includeAll: v.includeAll }).toEqual({ name: v.name, multi: true, includeAll: true });
      // The plugin's own parser accepts the stored variable query and it asks for the matching list.
      expect(parseVariableQuery(v.query)).toEqual({ list: VARIABLE_LIST[v.name] });
      // "All" must reach the plugin as a value interpolate.ts reads as "everything".
      const q = interpolateQuery(
        parseQuery({ refId: 'A', schemaVersion: 1, kind: 'cost', filters: { [v.name]: [`$${v.name}`] } }),
        replaceAllWith(variables, (x) => x.allValue),
      );
      expect(q.filters[v.name as 'waba']).toEqual([]);
    }
  });

  test('shows price and account changes as annotations from the plugin, filtered by the WABA picker', () => {
    const ours = ((d.annotations?.list ?? []) as Json[]).filter((a) => a.datasource?.type === PLUGIN_ID);
    expect(ours).toHaveLength(1);
    const a = ours[0]!;
    expect(a.datasource).toEqual(DS_REF);
    expect(a.target.queryType).toBe(ANNOTATION_QUERY_TYPE);
    // The plugin's own check (kinds known, waba a list) accepts it unchanged.
    expect(normaliseAnnotationTarget(a.target)).toEqual(a.target);
    expect(a.target.waba).toEqual(['$waba']);
  });

  test('every panel id is unique and every panel sits inside the 24-column grid without overlapping another', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const top = (d.panels as Json[]).map((p) => ({
      title: p.title as string,
      ...(p.gridPos as { x: number; y: number; w: number; h: number }),
    }));
    for (const g of top) {
      for (const k of ['x', 'y', 'w', 'h'] as const) expect(`${g.title}.${k}=${g[k]}`).toMatch(/=\d+$/);
      expect(g.w).toBeGreaterThanOrEqual(1);
      expect(g.h).toBeGreaterThanOrEqual(1);
      expect(g.x + g.w).toBeLessThanOrEqual(24);
    }
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const a = top[i]!;
        const b = top[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap ? `${a.title} overlaps ${b.title}` : 'no overlap').toBe('no overlap');
      }
    }
  });

  test('every query panel and target uses the plugin through ${datasource}', () => {
    const qp = queryPanels(d);
    expect(qp.length).toBeGreaterThan(0);
    for (const p of qp) {
      expect({ at: where(expected.file, p), ds: p.datasource }).toEqual({ at: where(expected.file, p), ds: DS_REF });
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets as Json[])
        expect({ at: where(expected.file, p, t), ds: t.datasource }).toEqual({ at: where(expected.file, p, t), ds: DS_REF });
    }
  });

  test('every target passes the plugin parser and builds valid connector requests with All and with concrete values', () => {
    for (const p of queryPanels(d)) {
      const refIds = (p.targets as Json[]).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets as Json[]) {
        const at = where(expected.file, p, t);
        let query: WaspendQuery;
        try {
          query = parseQuery(t);
        } catch (err) {
          throw new Error(`${at}: ${(err as Error).message}`, { cause: err });
        }
        // Stored exactly as the current schema writes it, so no migration runs on load.
        expect({ at, schemaVersion: t.schemaVersion }).toEqual({ at, schemaVersion: 1 });
        for (const replace of [
          replaceAllWith(variables, (v) => v.allValue),
          replaceAllWith(variables, (v) => SAMPLE_VALUE[v.name] ?? 'x'),
        ]) {
          const q = interpolateQuery(query, replace);
          expect({ at, unresolved: findUnresolvedVariable(q.filters) }).toEqual({ at, unresolved: undefined });
          try {
            expect(buildRequests(q, RANGE, { timeZone: 'UTC' }).length).toBeGreaterThan(0);
          } catch (err) {
            throw new Error(`${at}: ${(err as Error).message}`, { cause: err });
          }
        }
      }
    }
  });

  test('every filter variable is applied by the targets it can narrow, and targets name no other variable', () => {
    const defined = new Set(variables.map((v) => v.name as string));
    const used = new Set<string>();
    for (const p of queryPanels(d)) {
      for (const t of p.targets as Json[]) {
        for (const values of Object.values(t.filters as Record<string, string[]>)) {
          for (const v of values) {
            for (const m of v.matchAll(/\$\{?(\w+)/g)) {
              expect(`${where(expected.file, p, t)} uses $${m[1]}: ${defined.has(m[1]!) ? 'defined' : 'undefined'}`).toMatch(/defined$/);
              used.add(m[1]!);
            }
          }
        }
        // Tiers are per portfolio and market, an invoice one total per WABA and month: only the WABA filter reaches the connector there.
        if (t.kind === 'tiers' || (t.kind === 'reconciliation' && t.interval === 'month')) {
          expect(`${where(expected.file, p, t)} filters.waba: ${t.filters.waba}`).toContain('$waba');
          continue;
        }
        for (const name of expected.variables)
          expect(`${where(expected.file, p, t)} filters.${name}: ${t.filters[name]}`).toContain(`$${name}`);
      }
    }
    expect([...used].sort()).toEqual([...expected.variables].sort());
  });

  test('panels use only transformations Grafana offers in its editor (an unknown id is skipped without a word)', () => {
    for (const p of queryPanels(d)) {
      for (const t of (p.transformations ?? []) as Json[])
        expect(`${where(expected.file, p)}: ${t.id}`).toBe(
          `${where(expected.file, p)}: ${GRAFANA_TRANSFORMATIONS.has(t.id) ? t.id : 'not offered by Grafana'}`,
        );
    }
  });

  test('a repeated panel repeats over a multi-value variable its own queries filter by', () => {
    for (const p of allPanels(d).filter((x) => x.repeat)) {
      const v = variables.find((x) => x.name === p.repeat);
      expect({ at: where(expected.file, p), multi: v?.multi, includeAll: v?.includeAll }).toEqual({
        at: where(expected.file, p),
        multi: true,
        includeAll: true,
      });
      for (const t of p.targets as Json[]) expect(t.filters[p.repeat]).toEqual([`$${p.repeat}`]);
    }
  });

  test("stats choose their colour: Grafana's default thresholds would paint any figure over 80 red", () => {
    for (const p of queryPanels(d).filter((x) => x.type === 'stat')) {
      const color = p.fieldConfig?.defaults?.color?.mode;
      const steps = p.fieldConfig?.defaults?.thresholds?.steps;
      expect({ at: where(expected.file, p), chosen: color === 'fixed' || Array.isArray(steps) }).toEqual({
        at: where(expected.file, p),
        chosen: true,
      });
    }
  });

  test('money keeps the currency unit the frames carry and counts are whole numbers', () => {
    const MONEY_KINDS = new Set(['cost', 'projection', 'reconciliation', 'what_if']);
    for (const p of queryPanels(d)) {
      const kinds = new Set((p.targets as Json[]).map((t) => t.kind as string));
      const unit = p.fieldConfig?.defaults?.unit;
      const at = where(expected.file, p);
      // A panel-wide unit would relabel currencyUSD amounts; money panels leave it to the frames.
      if ([...kinds].some((k) => MONEY_KINDS.has(k))) expect({ at, unit }).toEqual({ at, unit: undefined });
      const countsOnly = [...kinds].every((k) => k === 'messages' || k === 'billing');
      // A stat or pie shows the exact count ("short" would show 3883 as "4 K"); time axes may scale.
      const countUnit = p.type === 'stat' || p.type === 'piechart' ? 'none' : 'short';
      if (countsOnly) expect({ at, unit, decimals: p.fieldConfig?.defaults?.decimals }).toEqual({ at, unit: countUnit, decimals: 0 });
    }
  });
});

describe('what the dashboards promise', () => {
  const byUid = new Map(dashboards.map((d) => [d.json.uid as string, d.json]));
  const kindsOf = (uid: string) => new Set(queryPanels(byUid.get(uid)!).flatMap((p) => (p.targets as Json[]).map((t) => t.kind as string)));
  const panelsOf = (uid: string) => queryPanels(byUid.get(uid)!);

  test('the overview stacks messages and cost by category, shows daily spend, the projection band, paid vs free and top countries and numbers', () => {
    const panels = panelsOf('waspend-overview');
    const has = (type: string, pred: (t: Json) => boolean) => panels.some((p) => p.type === type && (p.targets as Json[]).some(pred));
    expect(has('timeseries', (t) => t.kind === 'messages' && t.groupBy.includes('category'))).toBe(true);
    expect(has('timeseries', (t) => t.kind === 'cost' && t.groupBy.includes('category'))).toBe(true);
    expect(has('timeseries', (t) => t.kind === 'cost' && t.groupBy.length === 0)).toBe(true);
    expect(has('timeseries', (t) => t.kind === 'projection' && t.band === true)).toBe(true);
    expect(has('piechart', (t) => t.groupBy.includes('pricing_type'))).toBe(true);
    expect(panels.some((p) => (p.targets as Json[]).some((t) => t.kind === 'cost' && t.groupBy.includes('country')))).toBe(true);
    expect(panels.some((p) => (p.targets as Json[]).some((t) => t.kind === 'cost' && t.groupBy.includes('phone')))).toBe(true);
  });

  test('the calls dashboard compares its four stats with the previous period', () => {
    const stats = panelsOf('waspend-calls').filter((p) => p.type === 'stat');
    expect(stats).toHaveLength(4);
    for (const s of stats) expect((s.targets as Json[]).every((t) => t.kind === 'calls' && t.compare === 'previous_period')).toBe(true);
    expect(kindsOf('waspend-calls')).toEqual(new Set(['calls']));
  });

  test('the billing dashboard covers contacts, billed units, projection, origin split, allocation and tiers', () => {
    const targets = panelsOf('waspend-billing').flatMap((p) => p.targets as Json[]);
    expect(targets.some((t) => t.kind === 'billing' && t.metric === 'unique_contacts')).toBe(true);
    expect(targets.some((t) => t.kind === 'billing' && t.metric === 'billed_units')).toBe(true);
    expect(targets.some((t) => t.kind === 'billing' && t.groupBy.includes('direction'))).toBe(true);
    for (const k of ['projection', 'allocation', 'tiers']) expect(kindsOf('waspend-billing').has(k)).toBe(true);
  });

  test("the billing dashboard's what-if row: last month under the latest price files, this month with a share of service as templates", () => {
    const targets = panelsOf('waspend-billing').flatMap((p) => p.targets as Json[]);
    expect(targets.some((t) => t.kind === 'what_if' && t.period === 'previous_month' && t.priceFiles === 'latest')).toBe(true);
    expect(
      targets.some((t) => t.kind === 'what_if' && t.period === 'month' && t.moveShare === '$service_share' && t.moveTo === 'utility'),
    ).toBe(true);
    const share = (byUid.get('waspend-billing')!.templating.list as Json[]).find((v) => v.name === 'service_share');
    expect(share).toMatchObject({ type: 'custom', multi: false, includeAll: false });
  });

  test('the reconciliation dashboard splits by category and has a table comparing each month with the invoice', () => {
    const d = byUid.get('waspend-reconciliation')!;
    expect(
      panelsOf('waspend-reconciliation').some((p) =>
        (p.targets as Json[]).some((t) => t.kind === 'reconciliation' && t.groupBy.includes('category')),
      ),
    ).toBe(true);
    expect(
      allPanels(d).some(
        (p) => p.type === 'table' && (p.targets as Json[]).some((t) => t.kind === 'reconciliation' && t.interval === 'month'),
      ),
    ).toBe(true);
  });
});

describe('provisioning', () => {
  const read = (rel: string) => parse(fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8'));
  const uids = new Set(dashboards.map((d) => d.json.uid as string));

  test('dashboard uids are unique across the folder', () => {
    expect(uids.size).toBe(dashboards.length);
  });

  test('the provisioned plugin data source is the type the dashboards ask for', () => {
    const ds = (read('provisioning/datasources/waspend.yaml').datasources as Json[]).find((d) => d.type === PLUGIN_ID);
    expect(ds).toBeDefined();
  });

  test('alert rules and provisioning files name only dashboards that exist', () => {
    const files = ['provisioning/alerting', 'provisioning/dashboards'].flatMap((dir) =>
      fs
        .readdirSync(path.join(REPO_ROOT, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`),
    );
    const named: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'dashboardUid' || k === 'dashboardUID') named.push(String(v));
        walk(v);
      }
    };
    for (const f of files) walk(read(f));
    for (const uid of named) expect(`${uid}: ${uids.has(uid) ? 'exists' : 'missing'}`).toBe(`${uid}: exists`);
  });
});
