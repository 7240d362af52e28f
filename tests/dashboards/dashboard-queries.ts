/**
 * Runs every target of every dashboard through the plugin's query layer (runQuery) and the panel's
 * own transformations (Grafana's transformers from @grafana/data), and reports what each panel got.
 *
 * It runs as a child process under tsx (`node --import tsx tests/dashboards/dashboard-queries.ts`):
 * @grafana/data pulls in ESM-only packages that the jest "node" project does not transform, and the
 * dashboard tests should not depend on the plugin project's config.
 *
 *   --synthetic              answer from tests/dashboards/synthetic-connector.ts
 *   --url http://host:port   a running connector; the API token comes from WASPEND_API_TOKEN
 *   --from MS --to MS        the dashboard time range (default: the last 30 days)
 * Prints one JSON document: TargetReport[].
 */
import { lastValueFrom } from 'rxjs';
import {
  getFieldDisplayName,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  type DataFrame,
  type DataTransformerConfig,
} from '@grafana/data';
import { runQuery, type FetchJson } from '../../src/plugin/query/run-query';
import type { TimeRangeMs } from '../../src/plugin/api/request-params';
import { queryPanels, readAllDashboards, type Json } from './dashboard-files';
import { syntheticFetchJson } from './synthetic-connector';

export interface FieldReport {
  name: string;
  displayName: string;
  type: string;
  unit?: string;
  /** Values that are neither null nor NaN. */
  present: number;
}
export interface FrameReport {
  name?: string;
  length: number;
  fields: FieldReport[];
}
export interface TargetReport {
  file: string;
  panelId: number;
  panelType: string;
  title: string;
  refId: string;
  kind: string;
  error?: string;
  frames: FrameReport[];
  /** The panel's transformations applied to this target's frames; absent when it has none. */
  transformed?: FrameReport[];
  transformError?: string;
}

let registryReady = false;
export function initTransformers(): void {
  if (registryReady) return;
  // Grafana's app registers these at start-up; outside Grafana the registry starts empty.
  // Some transformers are exported under two names (an old id kept as an alias): register each once.
  // Grafana 13 loads transformers lazily, so an item's `transformation` is a loader.
  const unique = [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()];
  standardTransformersRegistry.setInit(
    () =>
      unique.map((t) => ({
        id: t.id,
        aliasIds: t.aliasIds,
        name: t.name,
        description: t.description,
        transformation: () => t,
        editor: () => null,
        imageDark: '',
        imageLight: '',
      })) as never,
  );
  // transformDataFrame reads window.__grafanaSceneContext; Grafana 13 dashboards always run in Scenes
  // (options are interpolated before they reach the transformers), so present one.
  const g = globalThis as unknown as { window?: Record<string, unknown> };
  g.window ??= {};
  g.window.__grafanaSceneContext ??= {};
  registryReady = true;
}

function summarise(frames: DataFrame[]): FrameReport[] {
  return frames.map((frame) => ({
    name: frame.name,
    length: frame.length,
    fields: frame.fields.map((f) => ({
      name: f.name,
      displayName: getFieldDisplayName(f, frame, frames),
      type: f.type,
      ...(f.config.unit ? { unit: f.config.unit } : {}),
      present: f.values.filter((v: unknown) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))).length,
    })),
  }));
}

/** Every dashboard variable at "All": the plugin turns the all value into "no filter". */
function replaceWithAll(variables: Json[]) {
  const byName = new Map(variables.map((v) => [v.name as string, v]));
  return (text: string) =>
    text.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (m, name: string) => {
      const v = byName.get(name);
      if (!v) return m;
      // A single-value variable without "All" (e.g. a custom share) holds its current value.
      return !v.includeAll && v.current?.value !== undefined ? String(v.current.value) : String(v.allValue ?? '*');
    });
}

export async function runDashboardQueries(fetchJson: FetchJson, range: TimeRangeMs, timeZone = 'UTC'): Promise<TargetReport[]> {
  initTransformers();
  const reports: TargetReport[] = [];
  for (const { file, json } of readAllDashboards()) {
    const replace = replaceWithAll((json.templating?.list ?? []) as Json[]);
    for (const panel of queryPanels(json)) {
      for (const target of panel.targets as Json[]) {
        const report: TargetReport = {
          file,
          panelId: panel.id,
          panelType: panel.type,
          title: panel.title,
          refId: target.refId,
          kind: target.kind,
          frames: [],
        };
        reports.push(report);
        let frames: DataFrame[];
        try {
          frames = await runQuery(target, range, { fetchJson, replace, timeZone, signal: new AbortController().signal });
        } catch (err) {
          report.error = (err as Error).message;
          continue;
        }
        report.frames = summarise(frames);
        const transformations = (panel.transformations ?? []) as DataTransformerConfig[];
        if (!transformations.length) continue;
        // transformDataFrame skips an id it does not know without a word: Grafana would too.
        const unknown = transformations.find((t) => !standardTransformersRegistry.getIfExists(t.id));
        if (unknown) {
          report.transformError = `unknown transformation "${unknown.id}"`;
          continue;
        }
        try {
          report.transformed = summarise(await lastValueFrom(transformDataFrame(transformations, frames)));
        } catch (err) {
          report.transformError = (err as Error).message;
        }
      }
    }
  }
  return reports;
}

/** fetchJson for a live connector: the bearer token goes in a header, never in the URL. */
export function connectorFetchJson(baseUrl: string, token: string): FetchJson {
  return async (path, search, signal) => {
    const res = await fetch(`${baseUrl}${path}${search ? `?${search}` : ''}`, { headers: { authorization: `Bearer ${token}` }, signal });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const to = Number(arg('--to') ?? Date.now());
  const from = Number(arg('--from') ?? to - 30 * 86_400_000);
  const url = arg('--url');
  let fetchJson: FetchJson;
  if (process.argv.includes('--synthetic')) fetchJson = (path, search) => syntheticFetchJson(path, search);
  else if (url) {
    const token = process.env.WASPEND_API_TOKEN;
    if (!token) throw new Error('WASPEND_API_TOKEN must hold the connector API token');
    fetchJson = connectorFetchJson(url, token);
  } else throw new Error('give --synthetic or --url <connector url>');
  const reports = await runDashboardQueries(fetchJson, { fromMs: from, toMs: to });
  process.stdout.write(`${JSON.stringify(reports)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
