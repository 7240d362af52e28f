import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  checkProvisioning,
  composeInterpolate,
  composeServiceEnv,
  goExpandEnv,
  grafanaExpand,
  readAs,
  routeKeys,
  DATASOURCES_FILE,
  type ProvisioningFiles,
} from './grafana-provisioning';
import { PLUGIN_ID, REPO_ROOT } from './dashboard-files';

// The provisioning files read as Grafana reads them (see grafana-provisioning.ts for the Grafana
// source each rule comes from), with the environment docker-compose.yml gives the Grafana container.

const readYaml = (rel: string) => parse(fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8')) as unknown;
const yamlFiles = (dir: string) =>
  fs
    .readdirSync(path.join(REPO_ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ file: `${dir}/${f}`, yaml: readYaml(`${dir}/${f}`) }));

function repoFiles(): ProvisioningFiles {
  return {
    datasources: yamlFiles('provisioning/datasources'),
    dashboards: yamlFiles('provisioning/dashboards'),
    alerting: yamlFiles('provisioning/alerting'),
  };
}

// What a user exports before `docker compose up` (README); the value is a stand-in.
const HOST_ENV = { WASPEND_API_TOKEN: 'token-from-the-host-shell' };
const compose = readYaml('docker-compose.yml') as any;
const routes = { [PLUGIN_ID]: routeKeys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'src/plugin/plugin.json'), 'utf8'))) };

describe("Grafana's expansion of provisioning values (values.go: split on $$, os.ExpandEnv)", () => {
  const env = { A: 'alpha', B_2: 'beta', EMPTY: '' };

  test('$VAR and ${VAR} expand; an unset variable is empty', () => {
    expect(grafanaExpand('$A/${B_2}/$NOPE/x', env)).toBe('alpha/beta//x');
    expect(grafanaExpand('http://$A:8080', env)).toBe('http://alpha:8080');
  });

  test('no shell defaults: ${VAR:-default} looks up a variable named "VAR:-default" and gives ""', () => {
    expect(grafanaExpand('${A:-http://connector:8080}', env)).toBe('');
    expect(grafanaExpand('${NOPE:-http://connector:8080}', env)).toBe('');
    expect(goExpandEnv('${A:-x}', { 'A:-x': 'odd but literal' })).toBe('odd but literal');
  });

  test('$$ is a literal $, also before a variable name', () => {
    expect(grafanaExpand('pa$$word', env)).toBe('pa$word');
    expect(grafanaExpand('$$A', env)).toBe('$A');
    expect(grafanaExpand('$$$A', env)).toBe('$alpha');
    expect(grafanaExpand('cost $$5', env)).toBe('cost $5');
  });

  test("Go's corner cases: a lone $ stays, a malformed ${ is eaten, $__env{} is Grafana's expander", () => {
    expect(grafanaExpand('50$', env)).toBe('50$');
    expect(grafanaExpand('a $ b', env)).toBe('a $ b');
    expect(grafanaExpand('x${A', env)).toBe('xA');
    expect(grafanaExpand('x${}y', env)).toBe('xy');
    expect(grafanaExpand('$__env{A}-$__env{NOPE}', env)).toBe('alpha-');
    expect(() => grafanaExpand('$__file{/run/secret}', env)).toThrow('$__file{/run/secret}');
  });

  test('an unknown key is reported at its path; a bool that does not parse is reported', () => {
    const r = readAs(DATASOURCES_FILE, { apiVersion: 1, datasources: [{ name: 'x', isDefualt: true, editable: '$EMPTY' }] }, env);
    expect(r.problems).toEqual([
      'datasources[0].isDefualt: unknown field (Grafana ignores it without a word)',
      'datasources[0].editable: "" is not a boolean',
    ]);
  });
});

describe('docker compose interpolation (runs before Grafana sees its environment)', () => {
  test('compose understands defaults and required variables', () => {
    expect(composeInterpolate('${X:-d}', {})).toBe('d');
    expect(composeInterpolate('${X:-d}', { X: 'v' })).toBe('v');
    expect(composeInterpolate('$$X', { X: 'v' })).toBe('$X');
    expect(() => composeInterpolate('${X:?set X}', {})).toThrow('X is required');
  });
});

describe('the provisioning files under the environment docker-compose.yml gives Grafana', () => {
  const env = composeServiceEnv(compose, 'grafana', HOST_ENV);

  test('Grafana gets the connector URL, the Prometheus URL and the token from compose', () => {
    expect(env.WASPEND_API_TOKEN).toBe(HOST_ENV.WASPEND_API_TOKEN);
    expect(env.WASPEND_CONNECTOR_URL).toBe('http://connector:8080');
    expect(env.WASPEND_PROMETHEUS_URL).toBe('http://prometheus:9090');
  });

  test('no unknown field, no empty URL or secure value, one folder referenced one way', () => {
    expect(checkProvisioning(repoFiles(), env, routes)).toEqual([]);
  });

  test('the data sources come out as Grafana stores them', () => {
    const r = readAs(DATASOURCES_FILE, readYaml('provisioning/datasources/waspend.yaml'), env);
    const byUid = Object.fromEntries(((r.value as any).datasources as any[]).map((d) => [d.uid, d]));
    expect(byUid.waspend.jsonData.connectorUrl).toBe('http://connector:8080');
    expect(byUid.waspend.secureJsonData.apiToken).toBe(HOST_ENV.WASPEND_API_TOKEN);
    expect(byUid.prometheus.url).toBe('http://prometheus:9090');
  });

  test('the connector service gets the same token as Grafana', () => {
    expect(composeServiceEnv(compose, 'connector', HOST_ENV).WASPEND_API_TOKEN).toBe(env.WASPEND_API_TOKEN);
  });

  test('the connector gets every WASPEND_SMTP_* docs/reports.md lists, from the host, and empty when unset (compose still starts)', () => {
    const documented = [...new Set(fs.readFileSync(path.join(REPO_ROOT, 'docs/reports.md'), 'utf8').match(/WASPEND_SMTP_[A-Z_]+/g))].sort();
    expect(documented).toEqual([
      'WASPEND_SMTP_CA_FILE',
      'WASPEND_SMTP_HOST',
      'WASPEND_SMTP_PASSWORD',
      'WASPEND_SMTP_PORT',
      'WASPEND_SMTP_TLS',
      'WASPEND_SMTP_USER',
    ]);
    const connectorEnv = (host: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(composeServiceEnv(compose, 'connector', { ...HOST_ENV, ...host })).filter(([k]) => k.startsWith('WASPEND_SMTP_')),
      );
    expect(connectorEnv({})).toEqual(Object.fromEntries(documented.map((k) => [k, ''])));
    const exported = Object.fromEntries(documented.map((k) => [k, `value of ${k}`]));
    expect(connectorEnv(exported)).toEqual(exported);
  });

  test('without WASPEND_API_TOKEN on the host, compose refuses to start (no empty token reaches Grafana)', () => {
    expect(() => composeServiceEnv(compose, 'grafana', {})).toThrow('WASPEND_API_TOKEN is required');
  });
});

describe('the checker catches what Grafana would get wrong', () => {
  const env = { WASPEND_API_TOKEN: 't', WASPEND_CONNECTOR_URL: 'http://connector:8080' };
  const ds = (over: Record<string, unknown>) => ({
    apiVersion: 1,
    datasources: [{ name: 'waspend', uid: 'waspend', type: PLUGIN_ID, ...over }],
  });
  const files = (datasources: unknown, dashboards: unknown = { apiVersion: 1, providers: [] }, alerting: unknown = { apiVersion: 1 }) => ({
    datasources: [{ file: 'ds.yaml', yaml: datasources }],
    dashboards: [{ file: 'dash.yaml', yaml: dashboards }],
    alerting: [{ file: 'alert.yaml', yaml: alerting }],
  });

  test('a shell default in a URL', () => {
    const f = files(
      ds({
        jsonData: { connectorUrl: '${WASPEND_CONNECTOR_URL:-http://connector:8080}' },
        secureJsonData: { apiToken: '$WASPEND_API_TOKEN' },
      }),
    );
    expect(checkProvisioning(f, env, routes)).toEqual([
      'ds.yaml: datasources[0] (waspend).jsonData.connectorUrl: empty URL after expansion',
    ]);
  });

  test('a secure value from a variable Grafana does not have, and a route key nobody provisions', () => {
    const f = files(ds({ jsonData: { connectorUrl: '$WASPEND_CONNECTOR_URL' }, secureJsonData: { apiTokn: '${API_TOKEN}' } }));
    expect(checkProvisioning(f, env, routes)).toEqual([
      'ds.yaml: datasources[0] (waspend).secureJsonData.apiTokn: empty secure value after expansion',
      "ds.yaml: datasources[0] (waspend): the plugin's route reads secureJsonData.apiToken, not provisioned",
    ]);
  });

  test('a folder by uid in the dashboard provider and by title in the alert rules', () => {
    const f = files(
      ds({ jsonData: { connectorUrl: '$WASPEND_CONNECTOR_URL' }, secureJsonData: { apiToken: '$WASPEND_API_TOKEN' } }),
      { apiVersion: 1, providers: [{ name: 'p', type: 'file', folder: 'Spend', folderUid: 'spend', options: { path: '/d' } }] },
      { apiVersion: 1, groups: [{ orgId: 1, name: 'g', folder: 'Spend', interval: '1m', rules: [] }] },
    );
    expect(checkProvisioning(f, env, routes)).toEqual([
      'folder "Spend" is referenced by uid in one place and by title in another: dash.yaml: providers[0] (p) -> uid spend; alert.yaml: groups[0] (g) -> title only',
    ]);
  });

  test('a dashboard link in the annotations and an unknown rule key', () => {
    const rule = { uid: 'r', title: 'R', condition: 'A', data: [], for: '1m', annotations: { dashboardUid: 'd' }, severity: 'x' };
    const f = files(
      ds({ jsonData: { connectorUrl: '$WASPEND_CONNECTOR_URL' }, secureJsonData: { apiToken: '$WASPEND_API_TOKEN' } }),
      undefined,
      { apiVersion: 1, groups: [{ orgId: 1, name: 'g', folder: 'Spend', interval: '1m', rules: [rule] }] },
    );
    expect(checkProvisioning(f, env, routes)).toEqual([
      'alert.yaml: groups[0].rules[0].severity: unknown field (Grafana ignores it without a word)',
      "alert.yaml: groups[0] (g).rules[0].annotations.dashboardUid: Grafana reads the dashboard link from the rule's own dashboardUid / panelId",
    ]);
  });
});

test("every alert rule's dashboardUid / panelId names a panel of a shipped dashboard", () => {
  const panels = new Map<string, Set<number>>();
  for (const f of fs.readdirSync(path.join(REPO_ROOT, 'dashboards')).filter((x) => x.endsWith('.json'))) {
    const d = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dashboards', f), 'utf8'));
    const ids = (d.panels as any[]).flatMap((p) => [p.id as number, ...((p.panels ?? []) as any[]).map((q) => q.id as number)]);
    panels.set(d.uid as string, new Set(ids));
  }
  const links: string[] = [];
  for (const { file, yaml } of yamlFiles('provisioning/alerting')) {
    for (const g of ((yaml as any).groups ?? []) as any[])
      for (const r of (g.rules ?? []) as any[]) {
        if (r.dashboardUid === undefined) continue;
        links.push(r.uid);
        const ok = panels.get(r.dashboardUid)?.has(r.panelId);
        expect(`${file} ${r.uid} -> ${r.dashboardUid} #${r.panelId}: ${ok ? 'exists' : 'missing'}`).toBe(
          `${file} ${r.uid} -> ${r.dashboardUid} #${r.panelId}: exists`,
        );
      }
  }
  expect(links).toEqual(['waspend-budget', 'waspend-spend-spike']);
});
