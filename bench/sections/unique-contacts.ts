/**
 * Issue 13's "unique contacts, 30 days < 50 ms": the request the dashboard's unique-contacts panel
 * sends (built by the plugin's own request building, every variable at All) over the last 30 days
 * of the store, timed over HTTP like the panel section.
 */
import { BENCH_TOKEN } from '../bench-config';
import type { RunningConnector } from '../connector-process';
import { panelQueries } from '../panel-queries';
import { log, median, percentile, round, timeReps } from '../stats';
import { UNIQUE_CONTACTS_TARGET, uniqueContactsMet } from '../targets';

export interface UniqueContacts {
  target: typeof UNIQUE_CONTACTS_TARGET;
  panel: string;
  /** The request, range elided. */
  path: string;
  rows: number | null;
  medianMs: number | null;
  p95Ms: number | null;
  notMeasured?: string;
  met: boolean;
}

async function fetchRows(url: string): Promise<{ status: number; rows: number | null }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const body = (await res.json().catch(() => null)) as { rows?: unknown[] } | null;
  return { status: res.status, rows: Array.isArray(body?.rows) ? body.rows.length : null };
}

/** The first dashboard request to /api/v1/contacts over [fromMs, toMs), with its panel's name. */
export function contactsRequest(fromMs: number, toMs: number): { panel: string; path: string } | null {
  for (const q of panelQueries(fromMs, toMs))
    for (const r of q.requests) if (r.path.startsWith('/api/v1/contacts?')) return { panel: q.name, path: r.path };
  return null;
}

export async function measureUniqueContacts(conn: RunningConnector, reps: number, endSec: number): Promise<UniqueContacts> {
  const toMs = endSec * 1000;
  const found = contactsRequest(toMs - UNIQUE_CONTACTS_TARGET.days * 86_400_000, toMs);
  const target = UNIQUE_CONTACTS_TARGET;
  if (!found) {
    const none = { rows: null, medianMs: null };
    return { target, panel: '', path: '', ...none, p95Ms: null, notMeasured: 'no dashboard panel asks /api/v1/contacts', met: false };
  }
  const elided = found.path.replace(/([?&](?:from|to))=-?\d+(?=&|$)/g, '$1=..');
  const first = await fetchRows(`${conn.url}${found.path}`);
  const notMeasured = first.status !== 200 ? `answered ${first.status}` : (first.rows ?? 0) === 0 ? 'answered 0 rows' : undefined;
  if (notMeasured) {
    log(`  unique contacts, 30 days: not measured (${notMeasured})`);
    return { target, panel: found.panel, path: elided, rows: first.rows, medianMs: null, p95Ms: null, notMeasured, met: false };
  }
  const times = await timeReps(reps, () => fetchRows(`${conn.url}${found.path}`), 0);
  const figure = { rows: first.rows, medianMs: round(median(times)), p95Ms: round(percentile(times, 95)) };
  log(`  unique contacts, 30 days: median ${figure.medianMs} ms (p95 ${figure.p95Ms}), ${figure.rows} rows`);
  return { target, panel: found.panel, path: elided, ...figure, met: uniqueContactsMet(figure) };
}
