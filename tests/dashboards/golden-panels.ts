/**
 * What each dashboard panel would display, computed the way Grafana computes it: the panel's targets
 * through the plugin's query layer (runQuery), the panel's transformations (transformDataFrame), its
 * field config (applyFieldOverrides: defaults, overrides, display processors) and, for stat, gauge
 * and bar gauge, Grafana's getFieldDisplayValues with the panel's reduceOptions (what
 * public/app/plugins/panel/stat/StatPanel.tsx getValues calls, with data.series already through
 * applyFieldOverrides; BigValue then draws display.prefix + text + suffix). Nothing of that is
 * reimplemented here: the only code of our own is the setup Grafana's app does at start-up
 * (registries) and the template-variable replace.
 *
 * It also returns every raw connector response each panel's queries got, so the test can compute the
 * expected figures from the API's JSON by hand (golden-panels.test.ts).
 *
 * Runs as a child process under tsx, like dashboard-queries.ts:
 *   node --import tsx tests/dashboards/golden-panels.ts --synthetic --from MS --to MS
 *   WASPEND_API_TOKEN=... node --import tsx tests/dashboards/golden-panels.ts --url http://host:port
 *   --check  also compare each panel with golden-expectations.ts (fills expected and problems)
 * Prints one JSON document: GoldenPanel[].
 */
import { lastValueFrom } from 'rxjs';
import {
  applyFieldOverrides,
  booleanOverrideProcessor,
  createTheme,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  FieldConfigOptionsRegistry,
  FieldType,
  formattedValueToString,
  getFieldDisplayName,
  getFieldDisplayValues,
  identityOverrideProcessor,
  numberOverrideProcessor,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  transformDataFrame,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
  type DataFrame,
  type DataTransformerConfig,
  type Field,
  type FieldConfigPropertyItem,
  type InterpolateFunction,
  type ScopedVars,
} from '@grafana/data';
import { runQuery, type FetchJson } from '../../src/plugin/query/run-query';
import { buildListRequest, parseVariableQuery, toMetricFindValues } from '../../src/plugin/api/lookups';
import type { TimeRangeMs } from '../../src/plugin/api/request-params';
import { connectorFetchJson, initTransformers } from './dashboard-queries';
import { queryPanels, readAllDashboards, type Json } from './dashboard-files';
import { syntheticFetchJson } from './synthetic-connector';

export interface RawResponse {
  path: string;
  params: Record<string, string>;
  body: unknown;
}

/** One value a stat / gauge / bar gauge draws. */
export interface DisplayedValue {
  title?: string;
  /** prefix + text + suffix, as the stat renders it. */
  shown: string;
  text: string;
  prefix?: string;
  suffix?: string;
  numeric: number;
  unit?: string;
  fieldName: string;
  fieldDisplayName: string;
  labels?: Record<string, string>;
}

/** One numeric field of a time series panel after the transformations: what one line or bar adds up to. */
export interface SeriesSum {
  name: string;
  displayName: string;
  labels?: Record<string, string>;
  unit?: string;
  sum: number;
  /** The last drawn point (a running total's last point is the range total). */
  last: number;
  points: number;
}

export interface TableColumn {
  name: string;
  displayName: string;
  type: string;
  unit?: string;
  values: unknown[];
  /** Each cell as the table shows it (the field's display processor). */
  shown: string[];
}

export interface GoldenPanel {
  file: string;
  dashboardUid: string;
  panelId: number;
  panelType: string;
  title: string;
  /** The variable value of this copy of a repeated panel (`{ waba: '1022...' }`). */
  repeat?: Record<string, string>;
  range: TimeRangeMs;
  responses: RawResponse[];
  error?: string;
  displayed?: DisplayedValue[];
  series?: SeriesSum[];
  tables?: TableColumn[][];
  /** Filled by --check: the hand-computed figures and every difference from what is displayed. */
  expected?: unknown[];
  problems?: string[];
}

// Grafana's date formats read the browser's locale at load; outside a browser, say en-US like a default one.
const g = globalThis as unknown as { navigator?: unknown };
g.navigator ??= { language: 'en-US', languages: ['en-US'] };
const theme = createTheme();
const TIME_ZONE = 'utc';

/** Grafana's standard field options (the ids and paths of its field config editor registry). */
function fieldConfigRegistry(customIds: string[]): FieldConfigOptionsRegistry {
  const numeric = (f: Field) => f.type === FieldType.number;
  const item = (id: string, process: FieldConfigPropertyItem['process'], shouldApply: (f: Field) => boolean = () => true) =>
    ({
      id,
      path: id.startsWith('custom.') ? id.slice('custom.'.length) : id,
      name: id,
      isCustom: id.startsWith('custom.'),
      process,
      shouldApply,
      override: () => null,
      editor: () => null,
    }) as unknown as FieldConfigPropertyItem;
  const items = [
    item('displayName', displayNameOverrideProcessor),
    item('unit', unitOverrideProcessor),
    item('min', numberOverrideProcessor, numeric),
    item('max', numberOverrideProcessor, numeric),
    item('fieldMinMax', booleanOverrideProcessor, numeric),
    item('decimals', numberOverrideProcessor, numeric),
    item('noValue', stringOverrideProcessor),
    item('links', dataLinksOverrideProcessor),
    item('mappings', valueMappingsOverrideProcessor),
    item('thresholds', thresholdsOverrideProcessor),
    item('color', identityOverrideProcessor),
    item('filterable', booleanOverrideProcessor),
    // A panel's own custom options (cell type, width, line style) change how, not what, it shows.
    ...customIds.map((id) => item(id, identityOverrideProcessor)),
  ];
  return new FieldConfigOptionsRegistry(() => items);
}

function customIdsOf(fieldConfig: Json | undefined): string[] {
  const ids = new Set<string>();
  for (const k of Object.keys(fieldConfig?.defaults?.custom ?? {})) ids.add(`custom.${k}`);
  for (const o of (fieldConfig?.overrides ?? []) as Json[])
    for (const p of (o.properties ?? []) as Json[]) if (String(p.id).startsWith('custom.')) ids.add(p.id);
  return [...ids];
}

/**
 * Grafana's template service as far as these dashboards need it: every dashboard variable at its
 * "All" value, and the panel-scoped ${__series.name} / ${__field.*} from the scopedVars Grafana passes.
 */
function replaceVariablesFor(variables: Json[], fixed: Record<string, string> = {}): InterpolateFunction {
  const byName = new Map(variables.map((v) => [v.name as string, v]));
  return ((text: string, scoped?: ScopedVars) =>
    text.replace(
      /\$\{([\w.]+)(?::(\w+))?\}|\$(\w+)/g,
      (m, braced: string | undefined, fmt: string | undefined, bare: string | undefined) => {
        const name = (braced ?? bare)!;
        if (name === '__series.name') return String((scoped?.__series?.value as Json | undefined)?.name ?? m);
        if (name.startsWith('__field.')) {
          const field = (scoped?.__field?.value as Json | undefined) ?? {};
          const key = name.slice('__field.'.length);
          if (key.startsWith('labels.')) return String(field.labels?.[key.slice(7)] ?? '');
          return String(field[key] ?? m);
        }
        if (fixed[name] !== undefined) return fixed[name]!;
        const v = byName.get(name);
        if (!v) return m;
        // A single-value variable without "All" (e.g. a custom share) holds its current value.
        if (!v.includeAll && v.current?.value !== undefined) return String(v.current.value);
        return fmt === 'text' ? 'All' : String(v.allValue ?? '*');
      },
    )) as InterpolateFunction;
}

function toDisplayed(frames: DataFrame[], panel: Json, replaceVariables: InterpolateFunction): DisplayedValue[] {
  const values = getFieldDisplayValues({
    data: frames,
    reduceOptions: panel.options?.reduceOptions ?? { calcs: [] },
    fieldConfig: panel.fieldConfig ?? { defaults: {}, overrides: [] },
    replaceVariables,
    theme,
    timeZone: TIME_ZONE,
  });
  return values.map((v) => {
    const frame = v.view?.dataFrame;
    const field = frame?.fields[v.colIndex ?? -1];
    return {
      title: v.display.title,
      shown: formattedValueToString(v.display),
      text: v.display.text,
      ...(v.display.prefix ? { prefix: v.display.prefix } : {}),
      ...(v.display.suffix ? { suffix: v.display.suffix } : {}),
      numeric: v.display.numeric,
      ...(v.field.unit ? { unit: v.field.unit } : {}),
      fieldName: v.name,
      fieldDisplayName: field && frame ? getFieldDisplayName(field, frame, frames) : v.name,
      ...(field?.labels && Object.keys(field.labels).length ? { labels: { ...field.labels } } : {}),
    };
  });
}

function toSeries(frames: DataFrame[]): SeriesSum[] {
  return frames.flatMap((frame) =>
    frame.fields
      .filter((f) => f.type === FieldType.number)
      .map((f) => {
        const present = f.values.filter((x: unknown) => typeof x === 'number' && Number.isFinite(x)) as number[];
        return {
          name: f.name,
          displayName: getFieldDisplayName(f, frame, frames),
          ...(f.labels && Object.keys(f.labels).length ? { labels: { ...f.labels } } : {}),
          ...(f.config.unit ? { unit: f.config.unit } : {}),
          sum: present.reduce((s, x) => s + x, 0),
          last: present[present.length - 1] ?? NaN,
          points: present.length,
        };
      }),
  );
}

function toTables(frames: DataFrame[]): TableColumn[][] {
  return frames.map((frame) =>
    frame.fields.map((f) => ({
      name: f.name,
      displayName: getFieldDisplayName(f, frame, frames),
      type: f.type,
      ...(f.config.unit ? { unit: f.config.unit } : {}),
      values: [...f.values],
      shown: f.values.map((x: unknown) => (f.display ? formattedValueToString(f.display(x)) : String(x))),
    })),
  );
}

/** The panel types whose figures the golden test checks. */
export const VALUE_PANELS = new Set(['stat', 'gauge', 'bargauge', 'piechart', 'table']);
export const SERIES_PANELS = new Set(['timeseries', 'barchart']);

/**
 * A panel that repeats by a variable is drawn once per value when the variable is at "All": each copy
 * sees that single value. The values come from the variable's own list query through the plugin.
 */
async function repeatValues(panel: Json, variables: Json[], fetchJson: FetchJson): Promise<Array<Record<string, string>>> {
  const name = panel.repeat as string | undefined;
  if (!name) return [{}];
  const variable = variables.find((v) => v.name === name);
  if (!variable) throw new Error(`panel ${panel.id} repeats by $${name}, which the dashboard does not define`);
  const req = buildListRequest(parseVariableQuery(variable.query), (t) => t);
  const values = toMetricFindValues(await fetchJson(req.path, req.search, new AbortController().signal));
  if (!values.length) throw new Error(`$${name} lists no values to repeat panel ${panel.id} by`);
  return values.map((v) => ({ [name]: v.value }));
}

export async function goldenPanels(fetchJson: FetchJson, range: TimeRangeMs): Promise<GoldenPanel[]> {
  initTransformers();
  const out: GoldenPanel[] = [];
  for (const { file, json } of readAllDashboards()) {
    const variables = (json.templating?.list ?? []) as Json[];
    for (const panel of queryPanels(json)) {
      if (!VALUE_PANELS.has(panel.type) && !SERIES_PANELS.has(panel.type)) continue;
      let copies: Array<Record<string, string>>;
      try {
        copies = await repeatValues(panel, variables, fetchJson);
      } catch (err) {
        const at = { file, dashboardUid: json.uid, panelId: panel.id, panelType: panel.type, title: panel.title };
        out.push({ ...at, range, responses: [], error: String(err) });
        continue;
      }
      for (const fixed of copies) out.push(await goldenPanel(file, json, panel, variables, fixed, fetchJson, range));
    }
  }
  return out;
}

async function goldenPanel(
  file: string,
  json: Json,
  panel: Json,
  variables: Json[],
  fixed: Record<string, string>,
  fetchJson: FetchJson,
  range: TimeRangeMs,
): Promise<GoldenPanel> {
  const replaceVariables = replaceVariablesFor(variables, fixed);
  const replace = (text: string) => replaceVariables(text);
  const report: GoldenPanel = {
    file,
    dashboardUid: json.uid,
    panelId: panel.id,
    panelType: panel.type,
    title: panel.title,
    ...(Object.keys(fixed).length ? { repeat: fixed } : {}),
    range,
    responses: [],
  };
  const recording: FetchJson = async (path, search, signal) => {
    const body = await fetchJson(path, search, signal);
    report.responses.push({ path, params: Object.fromEntries(new URLSearchParams(search)), body });
    return body;
  };
  try {
    const frames: DataFrame[] = [];
    for (const target of panel.targets as Json[]) {
      const deps = { fetchJson: recording, replace, timeZone: 'UTC', signal: new AbortController().signal };
      frames.push(...(await runQuery(target, range, deps)));
    }
    const transformations = (panel.transformations ?? []) as DataTransformerConfig[];
    const transformed = transformations.length ? await lastValueFrom(transformDataFrame(transformations, frames)) : frames;
    const processed = applyFieldOverrides({
      data: transformed,
      fieldConfig: panel.fieldConfig ?? { defaults: {}, overrides: [] },
      fieldConfigRegistry: fieldConfigRegistry(customIdsOf(panel.fieldConfig)),
      replaceVariables,
      theme,
      timeZone: TIME_ZONE,
    });
    if (panel.type === 'table') report.tables = toTables(processed);
    else if (VALUE_PANELS.has(panel.type)) report.displayed = toDisplayed(processed, panel, replaceVariables);
    else report.series = toSeries(processed);
  } catch (err) {
    report.error = (err as Error).stack ?? String(err);
  }
  return report;
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
  const panels = await goldenPanels(fetchJson, { fromMs: from, toMs: to });
  if (process.argv.includes('--check')) {
    // The expectations format money with Grafana's formatter, which only loads under tsx.
    const { checkPanel } = await import('./golden-expectations');
    for (const p of panels) Object.assign(p, checkPanel(p));
  }
  process.stdout.write(`${JSON.stringify(panels)}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
