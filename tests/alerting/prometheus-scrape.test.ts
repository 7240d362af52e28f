/**
 * A real Prometheus (Debian's package) scrapes a real connector seeded with demo data and evaluates
 * the shipped budget rule: it fires for the WABA whose budget is set low and stays quiet for the one
 * whose budget is out of reach. The rule file is the shipped one with `for:` set to 0s, so the test
 * does not wait 15 minutes; the expressions are untouched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEMO_WABAS } from '../../src/connector/demo';
import { findFreePort, REPO_ROOT, runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { makeTempDir } from '../helpers/reliability-config';
import { requirePrerequisite } from '../helpers/prerequisites';
import { DEMO_AS_OF_ARGS } from '../helpers/demo-clock';

jest.setTimeout(240_000);

const prometheus = requirePrerequisite('Prometheus');

interface Alert {
  labels: Record<string, string>;
  state: string;
}

async function waitFor<T>(what: string, deadlineMs: number, probe: () => Promise<T | null>): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown = null;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not reached within ${deadlineMs} ms${last ? ` (${String(last)})` : ''}`);
}

prometheus.describe('Prometheus scraping the connector', () => {
  let dir: string;
  let connector: ConnectorProcess;
  let prom: ChildProcess;
  let promUrl: string;
  const [low, high] = DEMO_WABAS;

  beforeAll(async () => {
    dir = makeTempDir('prom');
    const db = `sqlite:${path.join(dir, 'demo.sqlite')}`;
    const config = path.join(dir, 'waspend.yaml');
    fs.writeFileSync(
      config,
      stringify({
        apiToken: 'prometheus-test-token-123456',
        wabas: DEMO_WABAS.map((w) => ({
          id: w.id,
          name: w.name,
          timezone: w.timezone,
          currency: w.currency,
          portfolio: w.portfolio,
          ...(w.id === low?.id ? { monthlyBudget: 1 } : w.id === high?.id ? { monthlyBudget: 1e12 } : {}),
        })),
      }),
    );
    await runCli(['demo', '--db', db, '--days', '30', ...DEMO_AS_OF_ARGS], {}, 200_000);
    connector = await startConnector({ db, config, args: [...DEMO_AS_OF_ARGS] });

    const rules = parse(fs.readFileSync(path.join(REPO_ROOT, 'prometheus', 'rules', 'waspend.rules.yml'), 'utf8')) as {
      groups: { rules: Record<string, unknown>[] }[];
    };
    for (const g of rules.groups) for (const r of g.rules) if ('for' in r) r.for = '0s';
    fs.writeFileSync(path.join(dir, 'rules.yml'), stringify(rules));
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yml')],
        scrape_configs: [{ job_name: 'waspend', static_configs: [{ targets: [new URL(connector.url).host] }] }],
      }),
    );
    const port = await findFreePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    prom?.kill('SIGKILL');
    await connector?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the spend gauges under their contract names', async () => {
    const series = await waitFor('month-to-date cost scraped', 60_000, async () => {
      const res = await fetch(`${promUrl}/api/v1/query?query=waspend_month_to_date_cost`);
      const body = (await res.json()) as { data?: { result: { metric: Record<string, string> }[] } };
      const result = body.data?.result ?? [];
      return result.length > 0 ? result : null;
    });
    expect(new Set(series.map((s) => s.metric.waba))).toEqual(new Set(DEMO_WABAS.map((w) => w.id)));
    expect(series.every((s) => s.metric.currency && s.metric.category)).toBe(true);
  });

  it('fires the budget rule for the WABA over its budget, and only for it', async () => {
    const firing = await waitFor('budget alert firing', 60_000, async () => {
      const res = await fetch(`${promUrl}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: Alert[] } };
      const hits = body.data.alerts.filter((a) => a.labels.alertname === 'WaspendProjectedSpendOverBudget' && a.state === 'firing');
      return hits.length > 0 ? hits : null;
    });
    expect(firing.map((a) => a.labels.waba)).toEqual([low?.id]);
    expect(firing[0]?.labels.currency).toBe(low?.currency);
  });
});
