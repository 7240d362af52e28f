import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { composeInterpolate, composeServiceEnv } from './grafana-provisioning';

// Static checks of what Grafana, Prometheus and Docker read: no Grafana server or Docker engine runs
// on our machines, so a wrong uid, path or metric name must be caught here.
const root = path.resolve(__dirname, '../..');
const read = (rel: string) => parse(fs.readFileSync(path.join(root, rel), 'utf8'));
const PLUGIN_ID = 'waspend-whatsapp-datasource';

// The connector's metric names (issue 3 contract; src/connector/metrics must export exactly these).
const CONNECTOR_METRICS = new Set([
  'waspend_month_to_date_cost',
  'waspend_projected_month_end_cost',
  'waspend_projected_month_end_cost_lower',
  'waspend_projected_month_end_cost_upper',
  'waspend_monthly_budget',
  'waspend_cost_today',
  'waspend_cost_daily_average_7d',
  'waspend_billable_messages_total',
  'waspend_messages_delivered_total',
  'waspend_messages_sent_total',
  'waspend_messages_failed_total',
  'waspend_webhook_events_total',
  'waspend_last_webhook_timestamp_seconds',
  'waspend_template_recategorizations_total',
  'waspend_pull_up',
  'waspend_pull_last_success_timestamp_seconds',
  'waspend_pull_failures_total',
  'waspend_ingest_commit_seconds',
  // Finance reports delivered (issue 14; src/connector/reports/report-metrics.ts).
  'waspend_report_failures_total',
  'waspend_report_deliveries_total',
  'waspend_report_last_success_timestamp_seconds',
  'waspend_report_next_run_timestamp_seconds',
  'waspend_report_failing',
]);

function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bwaspend_[a-z0-9_]+/g)].map((m) => m[0]);
}

const datasources = read('provisioning/datasources/waspend.yaml').datasources as Record<string, any>[];
const alerting = read('provisioning/alerting/waspend-rules.yaml');
const grafanaRules = (alerting.groups as Record<string, any>[]).flatMap((g) => g.rules as Record<string, any>[]);
const promRules = (read('prometheus/rules/waspend.rules.yml').groups as Record<string, any>[]).flatMap(
  (g) => g.rules as Record<string, any>[],
);

describe('data source provisioning', () => {
  test('the waspend data source uses the plugin id and takes its token from the environment', () => {
    const ds = datasources.find((d) => d.uid === 'waspend');
    expect(ds).toMatchObject({ type: PLUGIN_ID, access: 'proxy' });
    expect(ds?.jsonData.connectorUrl).toMatch(/^\$\{WASPEND_CONNECTOR_URL/);
    // A literal token here would be a committed secret.
    expect(ds?.secureJsonData.apiToken).toBe('${WASPEND_API_TOKEN}');
    expect(new Set(datasources.map((d) => d.uid)).size).toBe(datasources.length);
  });

  test('the dashboards provider points at the folder docker-compose mounts ./dashboards on', () => {
    const provider = read('provisioning/dashboards/waspend.yaml').providers[0];
    const compose = read('docker-compose.yml');
    const mounts: string[] = compose.services.grafana.volumes;
    expect(mounts).toContain(`./dashboards:${provider.options.path}:ro`);
  });
});

describe('alert rules', () => {
  test('Grafana-managed rules reference provisioned data sources and expressions, with unique uids', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    expect(new Set(grafanaRules.map((r) => r.uid)).size).toBe(grafanaRules.length);
    for (const rule of grafanaRules) {
      const refIds = (rule.data as Record<string, any>[]).map((d) => d.refId);
      expect(refIds).toContain(rule.condition);
      for (const d of rule.data as Record<string, any>[]) {
        expect(d.datasourceUid === '__expr__' || uids.has(d.datasourceUid)).toBe(true);
        if (d.model.expression) expect(refIds).toContain(d.model.expression);
      }
    }
  });

  test('both rule sets cover the five required alerts and use only metrics the connector exports', () => {
    const grafanaExprs = grafanaRules.flatMap((r) => (r.data as Record<string, any>[]).map((d) => String(d.model.expr ?? '')));
    const promExprs = promRules.map((r) => String(r.expr));
    for (const exprs of [grafanaExprs, promExprs]) {
      const used = exprs.flatMap(metricsIn);
      for (const name of used) expect(CONNECTOR_METRICS.has(name) ? name : `unknown metric ${name}`).toBe(name);
      for (const needed of [
        'waspend_monthly_budget',
        'waspend_cost_daily_average_7d',
        'waspend_template_recategorizations_total',
        'waspend_messages_failed_total',
        'waspend_last_webhook_timestamp_seconds',
      ]) {
        expect(used).toContain(needed);
      }
    }
    expect(grafanaRules).toHaveLength(promRules.length);
  });
});

describe('docker-compose stack', () => {
  const compose = read('docker-compose.yml');

  test('Grafana allows exactly our unsigned plugin and mounts the built plugin and provisioning', () => {
    const g = compose.services.grafana;
    expect(g.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(PLUGIN_ID);
    expect(g.volumes).toContain(`./dist:/var/lib/grafana/plugins/${PLUGIN_ID}:ro`);
    expect(g.volumes).toContain('./provisioning:/etc/grafana/provisioning:ro');
  });

  test('images are pinned and every mounted or built host path exists (dist is built by npm run build)', () => {
    for (const [name, svc] of Object.entries(compose.services as Record<string, any>)) {
      if (svc.image) expect(`${name}: ${svc.image}`).toMatch(/:[0-9v][^:]*$/);
      if (svc.build) expect(fs.existsSync(path.join(root, svc.build.context, svc.build.dockerfile))).toBe(true);
      for (const volume of (svc.volumes ?? []) as string[]) {
        const host = volume.split(':')[0] as string;
        if (!host.startsWith('./') || host === './dist') continue;
        expect(`${name}: ${host} ${fs.existsSync(path.join(root, host)) ? 'exists' : 'missing'}`).toBe(`${name}: ${host} exists`);
      }
    }
  });

  test('the connector serves the demo without WASPEND_CONFIG, and the mounted config it names without demo data', () => {
    const connector = compose.services.connector;
    expect(connector.volumes).toContain('./config:/etc/waspend:ro');
    // The command as the container runs it, its `node` replaced by one that prints its arguments.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'waspend-compose-'));
    try {
      fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
      const run = (host: Record<string, string>) => {
        const hostEnv = { WASPEND_API_TOKEN: 'token-from-the-host-shell', ...host };
        const env = composeServiceEnv(compose, 'connector', hostEnv);
        const [cmd, ...args] = (connector.command as string[]).map((part) => composeInterpolate(part, hostEnv));
        const res = spawnSync(cmd as string, args, { env: { ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
        if (res.status !== 0) throw new Error(`the compose command failed: ${res.stderr}`);
        return { WASPEND_CONFIG: env.WASPEND_CONFIG, argv: res.stdout.trim().split('\n') };
      };
      const rest = ['--host', '0.0.0.0', '--port', '8080', '--db', 'sqlite:/data/waspend.sqlite'];
      expect(run({})).toEqual({ WASPEND_CONFIG: '', argv: ['bin/waspend.mjs', 'serve', '--demo', ...rest] });
      expect(run({ WASPEND_CONFIG: '/etc/waspend/waspend.yaml' })).toEqual({
        WASPEND_CONFIG: '/etc/waspend/waspend.yaml',
        argv: ['bin/waspend.mjs', 'serve', ...rest],
      });
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('Prometheus scrapes the connector service and loads the rules file it mounts', () => {
    const prom = read('prometheus/prometheus.yml');
    expect(prom.scrape_configs[0].static_configs[0].targets).toEqual(['connector:8080']);
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/waspend.rules.yml']);
    expect(compose.services.prometheus.volumes).toContain('./prometheus/rules:/etc/prometheus/rules:ro');
  });
});
