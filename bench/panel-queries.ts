/** The dashboard panel queries the bench times: from dashboards/*.json, else a representative list. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './connector-process';

export interface PanelQuery {
  name: string;
  path: string;
  /** Raw-events equivalent (see raw-baseline.ts); null when there is no plain GROUP BY counterpart. */
  raw: 'delivered_by_day_category' | 'delivered_by_day_country' | 'delivered_by_day_phone' | 'contacts_30d' | null;
}

/** Panel queries read from dashboards/*.json (targets with a `path`), else this representative list. */
export function panelQueries(fromMs: number, toMs: number): PanelQuery[] {
  const range = `from=${fromMs}&to=${toMs}`;
  const last30 = `from=${toMs - 30 * 86_400_000}&to=${toMs}`;
  const month = new Date(toMs - 86_400_000).toISOString().slice(0, 7);
  const fixed: PanelQuery[] = [
    { name: 'usage by day x category', path: `/api/v1/usage?${range}&interval=day&by=category`, raw: 'delivered_by_day_category' },
    {
      name: 'cost by day x category (estimate)',
      path: `/api/v1/usage?${range}&interval=day&by=category,pricing_type&source=estimate`,
      raw: 'delivered_by_day_category',
    },
    { name: 'usage by day x country', path: `/api/v1/usage?${range}&interval=day&by=country`, raw: 'delivered_by_day_country' },
    { name: 'usage by day x phone', path: `/api/v1/usage?${range}&interval=day&by=phone`, raw: 'delivered_by_day_phone' },
    {
      name: 'pricing input by category x country',
      path: `/api/v1/pricing-input?${range}&by=category,country`,
      raw: 'delivered_by_day_country',
    },
    { name: 'calls by day x direction', path: `/api/v1/calls?${range}&interval=day&by=direction`, raw: null },
    { name: 'unique contacts, last 30 days', path: `/api/v1/contacts?${last30}&interval=day`, raw: 'contacts_30d' },
    { name: 'reconciliation by day x category', path: `/api/v1/reconciliation?${range}&by=category`, raw: null },
    { name: 'volume tiers this month', path: `/api/v1/tiers?month=${month}`, raw: null },
  ];
  return fromDashboards(range) ?? fixed;
}

function fromDashboards(range: string): PanelQuery[] | null {
  const dir = path.join(ROOT, 'dashboards');
  if (!fs.existsSync(dir)) return null;
  const found: PanelQuery[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dash = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      panels?: Array<{ title?: string; targets?: Array<Record<string, unknown>> }>;
    };
    for (const panel of dash.panels ?? []) {
      for (const t of panel.targets ?? []) {
        if (typeof t.path === 'string')
          found.push({ name: `${file}: ${panel.title ?? '?'}`, path: `${t.path}${t.path.includes('?') ? '&' : '?'}${range}`, raw: null });
      }
    }
  }
  return found.length > 0 ? found : null;
}
