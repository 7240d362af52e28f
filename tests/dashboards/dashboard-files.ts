/**
 * Reads the dashboards in dashboards/ for the dashboard tests: the files, their panels (rows
 * flattened) and the targets that go to the waspend plugin.
 */
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const DASHBOARD_DIR = path.join(REPO_ROOT, 'dashboards');
export const PLUGIN_ID = 'waspend-whatsapp-datasource';

/** What each dashboard must be: file name, uid, title and the filter variables it offers. */
export const EXPECTED_DASHBOARDS = [
  {
    file: 'messaging-overview.json',
    uid: 'waspend-overview',
    title: 'WhatsApp messaging overview',
    variables: ['waba', 'phone', 'country', 'category'],
  },
  // Calls carry no pricing category, so a category picker there would only mislead.
  { file: 'voice-calls.json', uid: 'waspend-calls', title: 'WhatsApp voice calls', variables: ['waba', 'phone', 'country'] },
  {
    file: 'billing-metrics.json',
    uid: 'waspend-billing',
    title: 'WhatsApp billing metrics',
    variables: ['waba', 'phone', 'country', 'category'],
  },
  // Meta reports reconciliation figures per WABA and category only.
  { file: 'reconciliation.json', uid: 'waspend-reconciliation', title: 'WhatsApp cost reconciliation', variables: ['waba', 'category'] },
] as const;

/** The list each filter variable asks the plugin for (string variable query, see docs/grafana.md). */
export const VARIABLE_LIST: Record<string, string> = { waba: 'wabas', phone: 'phones', country: 'countries', category: 'categories' };

export type Json = Record<string, any>;

export interface DashboardFile {
  file: string;
  json: Json;
}

export function dashboardFileNames(): string[] {
  return fs
    .readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function readDashboard(file: string): Json {
  return JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, file), 'utf8')) as Json;
}

export function readAllDashboards(): DashboardFile[] {
  return dashboardFileNames().map((file) => ({ file, json: readDashboard(file) }));
}

/** Every panel, with the panels inside collapsed rows. */
export function allPanels(dashboard: Json): Json[] {
  const out: Json[] = [];
  for (const p of (dashboard.panels ?? []) as Json[]) {
    out.push(p);
    if (Array.isArray(p.panels)) out.push(...(p.panels as Json[]));
  }
  return out;
}

/** Panels that query data (text and row panels do not). */
export function queryPanels(dashboard: Json): Json[] {
  return allPanels(dashboard).filter((p) => p.type !== 'row' && p.type !== 'text');
}

/** A label for assertion messages: `voice-calls.json #3 "Total calls" A`. */
export function where(file: string, panel: Json, target?: Json): string {
  return `${file} #${panel.id} "${panel.title}"${target ? ` ${target.refId}` : ''}`;
}
