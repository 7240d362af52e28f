/**
 * `waspend report` on a demo store equals the sum of the query API's series for the same range:
 * both go through one pricing path, and this keeps it that way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startConnector, type ConnectorProcess } from '../helpers/connector-harness';
import { makeTempDir } from '../helpers/reliability-config';
import { reportRows, sumDecimals } from '../reliability/report-totals';
import { DEMO_WABAS } from '../../src/connector/demo';
import { stringify } from 'yaml';

jest.setTimeout(300_000);

const TOKEN = 'demo-report-token-0123456789';
const AS_OF = '2026-11-20T15:00:00Z';

describe('waspend report on the demo store', () => {
  let dir: string;
  let db: string;
  let config: string;
  let connector: ConnectorProcess;

  beforeAll(async () => {
    dir = makeTempDir('demo-report');
    db = `sqlite:${path.join(dir, 'demo.sqlite')}`;
    config = path.join(dir, 'waspend.yaml');
    fs.writeFileSync(
      config,
      stringify({
        apiToken: TOKEN,
        wabas: DEMO_WABAS.map((w) => ({ id: w.id, name: w.name, timezone: w.timezone, currency: w.currency, portfolio: w.portfolio })),
      }),
    );
    await runCli(['demo', '--db', db, '--days', '20', '--as-of', AS_OF, '--seed', 'report-check'], {}, 240_000);
    connector = await startConnector({ db, config });
  });
  afterAll(async () => {
    await connector?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['estimate', 'meta'])('equals the sum of /api/v1/usage per WABA and currency (source %s)', async (source) => {
    const rows = reportRows(
      await runCli([
        'report',
        '--from',
        '2026-11-01',
        '--to',
        '2026-11-19',
        '--by',
        'day,waba,category,country,phone,pricing_type',
        '--format',
        'json',
        '--source',
        source,
        '--config',
        config,
        '--db',
        db,
      ]),
    );
    expect(rows.length).toBeGreaterThan(50);
    for (const w of DEMO_WABAS) {
      const res = await fetch(
        `${connector.url}/api/v1/usage?from=2026-11-01&to=2026-11-19&interval=day&by=category,phone&source=${source}&waba=${w.id}`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      );
      expect(res.status).toBe(200);
      const api = (await res.json()) as { rows: { messages: number; billable: number; cost: string | null; currency: string }[] };
      const mine = rows.filter((r) => (r as never as { waba: string }).waba === w.id);
      expect(mine.length).toBeGreaterThan(0);
      expect({
        messages: mine.reduce((n, r) => n + r.messages, 0),
        billable: mine.reduce((n, r) => n + r.billable, 0),
        cost: sumDecimals(mine.map((r) => r.cost)),
      }).toEqual({
        messages: api.rows.reduce((n, r) => n + r.messages, 0),
        billable: api.rows.reduce((n, r) => n + r.billable, 0),
        cost: sumDecimals(api.rows.map((r) => r.cost)),
      });
      expect(new Set(api.rows.map((r) => r.currency))).toEqual(new Set([w.currency]));
    }
  });

  it('splits each day into hours that add up to the day exactly (cost, charged units, messages)', async () => {
    for (const w of DEMO_WABAS) {
      const get = async (interval: string) => {
        const res = await fetch(
          `${connector.url}/api/v1/usage?from=2026-11-16&to=2026-11-18&interval=${interval}&by=category&waba=${w.id}`,
          { headers: { authorization: `Bearer ${TOKEN}` } },
        );
        expect(res.status).toBe(200);
        return (
          (await res.json()) as { rows: { bucket: string; category: string; messages: number; billable: number; cost: string | null }[] }
        ).rows;
      };
      const [days, hours] = await Promise.all([get('day'), get('hour')]);
      expect(hours.length).toBeGreaterThan(days.length);
      for (const d of days) {
        const mine = hours.filter((h) => h.bucket.startsWith(`${d.bucket}T`) && h.category === d.category);
        expect({
          day: d.bucket,
          category: d.category,
          messages: mine.reduce((n, h) => n + h.messages, 0),
          billable: mine.reduce((n, h) => n + h.billable, 0),
          cost: sumDecimals(mine.map((h) => h.cost)),
        }).toEqual({ day: d.bucket, category: d.category, messages: d.messages, billable: d.billable, cost: sumDecimals([d.cost]) });
      }
    }
  });

  it('answers from the pricing-grain rollup with the same totals as from the fine rollup', async () => {
    for (const w of DEMO_WABAS) {
      const totals = async (by: string) => {
        const res = await fetch(`${connector.url}/api/v1/usage?from=2026-11-01&to=2026-11-19&interval=day&by=${by}&waba=${w.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const rows = (
          (await res.json()) as { rows: { bucket: string; category: string; messages: number; billable: number; cost: string | null }[] }
        ).rows;
        const perDay = new Map<string, { messages: number; billable: number; costs: (string | null)[] }>();
        for (const r of rows) {
          const k = `${r.bucket}|${r.category}`;
          const t = perDay.get(k) ?? { messages: 0, billable: 0, costs: [] };
          t.messages += r.messages;
          t.billable += r.billable;
          t.costs.push(r.cost);
          perDay.set(k, t);
        }
        return [...perDay]
          .map(([k, t]) => ({ k, messages: t.messages, billable: t.billable, cost: sumDecimals(t.costs) }))
          .sort((a, b) => a.k.localeCompare(b.k));
      };
      const [coarse, fine] = await Promise.all([totals('category'), totals('category,country,phone')]);
      expect(coarse.length).toBeGreaterThan(10);
      expect(coarse).toEqual(fine);
    }
  });

  it('prints CSV with the contract columns', async () => {
    const csv = await runCli([
      'report',
      '--from',
      '2026-11-18',
      '--to',
      '2026-11-18',
      '--by',
      'day,category',
      '--format',
      'csv',
      '--config',
      config,
      '--db',
      db,
    ]);
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toBe('day,waba,phone_number_id,country,market,category,pricing_type,messages,billable,cost,currency');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.startsWith('2026-11-18,'))).toBe(true);
  });
});
