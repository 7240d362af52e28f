// A dashboard as Grafana draws it, inside the host page: every panel's targets go through the
// plugin's DataSource (the loaded dist/module.js) and the proxy stand-in to the demo connector; the
// panel's transformations and field config are applied by this host's @grafana/data; the result is
// drawn by @grafana/ui's own visualisations (BigValue, BarGauge, TimeSeries, Table, VizLegend) on
// the dashboard's gridPos. What each panel shows is then described to the test (panelReports).
import React from 'react';
import { lastValueFrom, type Observable } from 'rxjs';
import {
  applyFieldOverrides,
  dateTime,
  displayNameOverrideProcessor,
  getFrameDisplayName,
  FieldConfigOptionsRegistry,
  FieldType,
  formattedValueToString,
  getDisplayValueAlignmentFactors,
  getFieldDisplayValues,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
  VizOrientation,
  type DataFrame,
  type DataQueryResponse,
  type DataSourceApi,
  type FieldConfigSource,
  type FieldDisplay,
  type GrafanaTheme2,
  type InterpolateFunction,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import * as ui from '@grafana/ui';
import type { LoaderGeneration } from './plugin-loader';

type Json = Record<string, any>;

// Grafana's dashboard grid (public/app/core/constants.ts).
const GRID_CELL_HEIGHT = 30;
const GRID_CELL_VMARGIN = 8;
const GRID_COLUMNS = 24;
const PANEL_HEADER = 32;
const PANEL_PADDING = 8;

export interface PreparedPanel {
  panel: Json;
  title: string;
  frames: DataFrame[];
  error?: string;
}

/** Registers Grafana's transformers: 12.x items hold the transformer, 13.x items a loader of it. */
export function initTransformers(generation: LoaderGeneration): void {
  const unique = [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()];
  standardTransformersRegistry.setInit(
    () =>
      unique.map((t) => ({
        id: t.id,
        aliasIds: t.aliasIds,
        name: t.name,
        description: t.description,
        transformation: generation === '13' ? () => Promise.resolve(t) : t,
        editor: () => null,
        imageDark: '',
        imageLight: '',
      })) as never,
  );
  // Grafana 13 runs dashboards in Scenes, which transformDataFrame looks for.
  (window as unknown as Json).__grafanaSceneContext ??= {};
}

const STANDARD_OPTIONS = [
  'unit',
  'decimals',
  'min',
  'max',
  'displayName',
  'noValue',
  'color',
  'thresholds',
  'mappings',
  'links',
  'description',
  'filterable',
  'fieldMinMax',
];

/**
 * The field-config options a panel plugin registers (Grafana's standard options plus the panel's
 * `custom.*` ones). applyFieldOverrides skips any default or override whose id is not registered,
 * so without this a panel's unit, colour or noValue would silently not apply.
 */
function fieldConfigRegistry(fieldConfig: FieldConfigSource, panelType: string): FieldConfigOptionsRegistry {
  const custom = new Set(Object.keys(fieldConfig.defaults?.custom ?? {}));
  for (const o of fieldConfig.overrides ?? [])
    for (const p of o.properties) if (p.id.startsWith('custom.')) custom.add(p.id.slice('custom.'.length));
  // The defaults Grafana's standard options and these panels register: series colours from the
  // classic palette for time series and pie charts, thresholds (green, red from 80) elsewhere.
  const defaults: Record<string, unknown> = {
    color: { mode: panelType === 'timeseries' || panelType === 'piechart' ? 'palette-classic' : 'thresholds' },
    thresholds: {
      mode: 'absolute',
      steps: [
        { value: -Infinity, color: 'green' },
        { value: 80, color: 'red' },
      ],
    },
  };
  const item = (id: string, path: string, isCustom: boolean) => ({
    id,
    path,
    name: id,
    isCustom,
    // displayName expands ${__series.name} and the like, as Grafana's standard option does.
    process:
      id === 'displayName'
        ? (value: unknown, context: unknown) => displayNameOverrideProcessor(value, context as never, { expandTemplateVars: true })
        : (value: unknown) => value ?? defaults[id],
    settings: {},
    shouldApply: () => true,
    override: () => null,
    editor: () => null,
  });
  const registry = new FieldConfigOptionsRegistry();
  registry.setInit(
    () => [...STANDARD_OPTIONS.map((id) => item(id, id, false)), ...[...custom].map((p) => item(`custom.${p}`, p, true))] as never,
  );
  return registry;
}

/**
 * Grafana's templateSrv.replace for a dashboard whose variables are at "All" (their allValue), with
 * scoped vars first: a repeated panel's own value (${waba}, ${waba:text}) and field-level ones such
 * as ${__series.name}.
 */
export function replacer(variables: Record<string, string>): InterpolateFunction {
  return (text: string, scopedVars?: ScopedVars, format?: unknown) =>
    (text ?? '').replace(/\$\{([\w]+)(?:\.([\w.]+))?(?::(\w+))?\}|\$(\w+)/g, (whole, braced, path, fmt, bare) => {
      const name = (braced ?? bare) as string;
      const asText = fmt === 'text' || format === 'text';
      const context = scopedVars?.__dataContext?.value as { frame?: DataFrame; frameIndex?: number; field?: Json } | undefined;
      if (context?.frame && (name === '__series' || name === '__field')) {
        // Grafana's data macros: the series (frame) and field a field-level value belongs to.
        const macro: Json =
          name === '__series'
            ? { name: getFrameDisplayName(context.frame, context.frameIndex) }
            : {
                name: context.field?.name,
                displayName: context.field?.state?.displayName ?? context.field?.name,
                labels: context.field?.labels ?? {},
              };
        let value: unknown = macro;
        for (const key of path ? (path as string).split('.') : ['name']) value = (value as Json | undefined)?.[key];
        return value === undefined ? whole : String(value);
      }
      const scoped = scopedVars?.[name];
      if (scoped) {
        let value: unknown = asText && !path ? (scoped.text ?? scoped.value) : scoped.value;
        for (const key of path ? (path as string).split('.') : []) value = (value as Json | undefined)?.[key];
        return value === undefined ? whole : String(value);
      }
      if (!(name in variables)) return whole;
      return asText ? 'All' : variables[name]!;
    });
}

/**
 * Grafana's panel repeat: a panel with `repeat: <variable>` is drawn once per value of the variable
 * (its list query asked through the plugin, as Grafana does), each copy with that value as a scoped
 * var; copies go below each other (repeatDirection "v") and the panels under them move down.
 */
export async function expandRepeats(dashboard: Json, ds: DataSourceApi): Promise<Json[]> {
  const panels: Json[] = gridPanels(dashboard).map((p) => ({ ...p, gridPos: { ...(p.gridPos ?? { x: 0, y: 0, w: 12, h: 8 }) } }));
  const variables = (dashboard.templating?.list ?? []) as Json[];
  for (const panel of panels.filter((p) => p.repeat).sort((a, b) => a.gridPos.y - b.gridPos.y)) {
    const variable = variables.find((v) => v.name === panel.repeat);
    if (!variable) throw new Error(`panel "${panel.title}" repeats over unknown variable ${panel.repeat}`);
    if (panel.repeatDirection === 'h') throw new Error(`panel "${panel.title}": horizontal repeat is not drawn by this harness`);
    const values = await ds.metricFindQuery!(variable.query, {});
    if (!values.length) continue;
    const { y, h } = panel.gridPos;
    for (const p of panels) if (p !== panel && p.gridPos.y >= y + h) p.gridPos.y += (values.length - 1) * h;
    const copies = values.map((v, i) => ({
      ...panel,
      gridPos: { ...panel.gridPos, y: y + i * h },
      scopedVars: { [variable.name]: { text: String(v.text), value: String(v.value ?? v.text) } },
    }));
    panels.splice(panels.indexOf(panel), 1, ...copies);
  }
  return panels;
}

function gridPanels(dashboard: Json): Json[] {
  const out: Json[] = [];
  for (const p of (dashboard.panels ?? []) as Json[]) {
    if (p.type === 'row') out.push(...((p.panels ?? []) as Json[]));
    else out.push(p);
  }
  return out;
}

/** Runs each panel's targets through the plugin and the panel's transformations and field config. */
export async function preparePanels(
  panels: Json[],
  ds: DataSourceApi,
  range: TimeRange,
  theme: GrafanaTheme2,
  replace: InterpolateFunction,
): Promise<PreparedPanel[]> {
  const out: PreparedPanel[] = [];
  let n = 0;
  for (const panel of panels) {
    const scopedVars = (panel.scopedVars ?? {}) as ScopedVars;
    const title = replace(String(panel.title ?? ''), scopedVars, 'text');
    const targets = ((panel.targets ?? []) as Json[]).filter((t) => !t.hide);
    if (!targets.length) {
      out.push({ panel, title, frames: [] });
      continue;
    }
    try {
      const request = {
        requestId: `dashboard-${++n}`,
        interval: '1d',
        intervalMs: 86_400_000,
        scopedVars,
        timezone: 'utc',
        app: 'dashboard',
        startTime: Date.now(),
        range,
        targets,
      };
      const res = await lastValueFrom(ds.query(request as never) as Observable<DataQueryResponse>);
      const errors = [...(res.errors ?? []), ...(res.error ? [res.error] : [])];
      if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
      let frames = res.data as DataFrame[];
      const transformations = (panel.transformations ?? []) as Json[];
      const unknown = transformations.find((t) => !standardTransformersRegistry.getIfExists(t.id));
      if (unknown) throw new Error(`unknown transformation ${unknown.id}`);
      if (transformations.length) frames = await lastValueFrom(transformDataFrame(transformations as never, frames));
      const fieldConfig = (panel.fieldConfig ?? { defaults: {}, overrides: [] }) as FieldConfigSource;
      frames = applyFieldOverrides({
        data: frames,
        fieldConfig,
        fieldConfigRegistry: fieldConfigRegistry(fieldConfig, String(panel.type)),
        replaceVariables: (text, vars, format) => replace(text, { ...scopedVars, ...vars }, format),
        theme,
        timeZone: 'utc',
      });
      out.push({ panel, title, frames });
    } catch (err) {
      out.push({ panel, title, frames: [], error: (err as Error).message ?? String(err) });
    }
  }
  return out;
}

class PanelErrorBoundary extends React.Component<{ children: React.ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(err: Error) {
    return { error: err.message ?? String(err) };
  }
  override render() {
    if (this.state.error)
      return (
        <div data-panel-error={this.state.error} style={{ color: '#ff5286', padding: 8 }}>
          Panel error: {this.state.error}
        </div>
      );
    return this.props.children;
  }
}

function displayValues(p: PreparedPanel, theme: GrafanaTheme2, replace: InterpolateFunction): FieldDisplay[] {
  return getFieldDisplayValues({
    data: p.frames,
    reduceOptions: p.panel.options?.reduceOptions ?? { calcs: ['lastNotNull'], values: false },
    fieldConfig: p.panel.fieldConfig ?? { defaults: {}, overrides: [] },
    replaceVariables: replace,
    theme,
    timeZone: 'utc',
  });
}

/** Stat: one BigValue per display value, side by side as Grafana's stat panel lays them out when wide. */
function StatViz({ p, width, height, theme, replace }: VizProps) {
  const values = displayValues(p, theme, replace);
  const o = p.panel.options ?? {};
  // Many values share the panel as a grid of near-square cells (the stat panel's auto layout).
  const side = Math.sqrt((width * height) / Math.max(1, values.length));
  const columns = Math.min(values.length, Math.max(1, Math.round(width / side)));
  const rows = Math.ceil(values.length / columns);
  const w = Math.floor(width / columns);
  const h = Math.floor(height / rows);
  const factors = getDisplayValueAlignmentFactors(values);
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap' }} data-values={JSON.stringify(values.map((v) => shown(v)))}>
      {values.map((v, i) => (
        <ui.BigValue
          key={i}
          value={v.display}
          width={w}
          height={h}
          theme={theme}
          colorMode={o.colorMode ?? 'value'}
          graphMode={'none' as never}
          justifyMode={o.justifyMode ?? 'auto'}
          textMode={o.textMode ?? 'auto'}
          alignmentFactors={factors}
          count={values.length}
        />
      ))}
    </div>
  );
}

/** Bar gauge: one BarGauge per display value, stacked as horizontal bars. */
function BarGaugeViz({ p, width, height, theme, replace }: VizProps) {
  const values = displayValues(p, theme, replace);
  const o = p.panel.options ?? {};
  const spacing = 8;
  const h = Math.max(16, Math.floor((height - spacing * (values.length - 1)) / values.length));
  const factors = getDisplayValueAlignmentFactors(values);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: spacing }} data-values={JSON.stringify(values.map((v) => shown(v)))}>
      {values.map((v, i) => (
        <ui.BarGauge
          key={i}
          value={v.display}
          field={v.field}
          display={v.colIndex === undefined ? undefined : v.view?.getFieldDisplayProcessor(v.colIndex)}
          width={width}
          height={h}
          theme={theme}
          orientation={o.orientation === 'vertical' ? VizOrientation.Vertical : VizOrientation.Horizontal}
          displayMode={o.displayMode ?? 'gradient'}
          showUnfilled={o.showUnfilled ?? true}
          valueDisplayMode={o.valueMode}
          namePlacement={o.namePlacement}
          alignmentFactors={factors}
          isOverflow={false}
          text={o.text}
        />
      ))}
    </div>
  );
}

function TimeSeriesViz({ p, width, height, range }: VizProps) {
  const o = p.panel.options ?? {};
  const series = p.frames.flatMap((f) => f.fields.filter((x) => x.type === FieldType.number));
  const points = series.reduce((n, f) => n + f.values.filter((v: unknown) => typeof v === 'number' && Number.isFinite(v)).length, 0);
  return (
    <div data-series={series.length} data-points={points}>
      <ui.TimeSeries
        frames={p.frames}
        width={width}
        height={height}
        timeRange={range}
        timeZone="utc"
        legend={o.legend ?? { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] }}
        options={o}
      />
    </div>
  );
}

/**
 * Pie chart: Grafana's PieChart is part of the piechart panel in Grafana's app, not of @grafana/ui,
 * so the slices are drawn here from the same display values (value, colour, title) the panel uses,
 * with @grafana/ui's VizLegend for the legend.
 */
function PieViz({ p, width, height, theme, replace }: VizProps) {
  const values = displayValues(p, theme, replace);
  const o = p.panel.options ?? {};
  const total = values.reduce((s, v) => s + (v.display.numeric > 0 ? v.display.numeric : 0), 0);
  const legendWidth = Math.floor(width * 0.5);
  const size = Math.min(width - legendWidth, height) - 8;
  const r = size / 2;
  const inner = o.pieType === 'donut' ? r * 0.6 : 0;
  let angle = -Math.PI / 2;
  const arc = (a: number, rad: number) => [r + rad * Math.cos(a), r + rad * Math.sin(a)];
  const slices = values
    .filter((v) => v.display.numeric > 0)
    .map((v, i) => {
      const sweep = (v.display.numeric / total) * Math.PI * 2;
      const a0 = angle;
      const a1 = (angle += sweep) - (sweep >= Math.PI * 2 ? 1e-6 : 0);
      const large = sweep > Math.PI ? 1 : 0;
      const [x0, y0] = arc(a0, r);
      const [x1, y1] = arc(a1, r);
      const [x2, y2] = arc(a1, inner);
      const [x3, y3] = arc(a0, inner);
      const d = `M${x0},${y0} A${r},${r} 0 ${large} 1 ${x1},${y1} L${x2},${y2} A${inner},${inner} 0 ${large} 0 ${x3},${y3} Z`;
      return (
        <path key={i} d={d} fill={v.display.color} stroke={theme.colors.background.primary} strokeWidth={1} data-slice={v.display.title} />
      );
    });
  const items = values.map((v, i) => ({
    label: v.display.title ?? '',
    color: v.display.color,
    yAxis: 1,
    getItemKey: () => `${i}`,
    getDisplayValues: () => [
      { ...v.display, title: 'Value', description: '' },
      {
        numeric: total ? v.display.numeric / total : 0,
        text: total ? `${Math.round((1000 * v.display.numeric) / total) / 10}%` : '0%',
        title: 'Percent',
      },
    ],
  }));
  return (
    <div style={{ display: 'flex', alignItems: 'center' }} data-values={JSON.stringify(values.map((v) => shown(v)))}>
      <svg width={size} height={size} data-slices={slices.length}>
        {slices}
      </svg>
      <div style={{ width: legendWidth, paddingLeft: 8 }}>
        <ui.VizLegend items={items as never} displayMode={'table' as never} placement={'right' as never} />
      </div>
    </div>
  );
}

function TableViz({ p, width, height }: VizProps) {
  const frame = p.frames[0];
  if (!frame) return <div>No data</div>;
  const o = p.panel.options ?? {};
  return (
    <div data-rows={frame.length}>
      <ui.Table
        data={frame}
        width={width}
        height={height}
        cellHeight={o.cellHeight}
        initialSortBy={o.sortBy}
        footerOptions={o.footer}
        fieldConfig={p.panel.fieldConfig}
      />
    </div>
  );
}

function TextViz({ p }: VizProps) {
  return <div style={{ whiteSpace: 'pre-wrap', fontSize: 13 }}>{String(p.panel.options?.content ?? '')}</div>;
}

interface VizProps {
  p: PreparedPanel;
  width: number;
  height: number;
  theme: GrafanaTheme2;
  range: TimeRange;
  replace: InterpolateFunction;
}

const VIZ: Record<string, (props: VizProps) => React.ReactElement> = {
  stat: StatViz,
  bargauge: BarGaugeViz,
  timeseries: TimeSeriesViz,
  piechart: PieViz,
  table: TableViz,
  text: TextViz,
};

/** What a display value shows a reader: the formatted text and the number behind it. */
function shown(v: FieldDisplay) {
  return { title: v.display.title, text: formattedValueToString(v.display), numeric: v.display.numeric };
}

export function DashboardView(props: {
  title: string;
  panels: PreparedPanel[];
  width: number;
  theme: GrafanaTheme2;
  range: TimeRange;
  replace: InterpolateFunction;
}) {
  const { width, theme } = props;
  const colWidth = (width - GRID_CELL_VMARGIN * (GRID_COLUMNS - 1)) / GRID_COLUMNS;
  const bottom = Math.max(...props.panels.map((p) => (p.panel.gridPos?.y ?? 0) + (p.panel.gridPos?.h ?? 8)));
  return (
    <div style={{ padding: 8 }}>
      <h2 style={{ margin: '4px 0 12px', fontSize: 18 }}>{props.title}</h2>
      <div style={{ position: 'relative', width, height: bottom * (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN) }}>
        {props.panels.map((p, i) => {
          const g = p.panel.gridPos ?? { x: 0, y: 0, w: 12, h: 8 };
          const w = g.w * colWidth + (g.w - 1) * GRID_CELL_VMARGIN;
          const h = g.h * GRID_CELL_HEIGHT + (g.h - 1) * GRID_CELL_VMARGIN;
          const Viz = VIZ[p.panel.type as string];
          const inner = { width: Math.floor(w - 2 * PANEL_PADDING), height: Math.floor(h - PANEL_HEADER - PANEL_PADDING) };
          return (
            <section
              key={i}
              data-testid="panel"
              data-type={p.panel.type}
              data-title={p.title}
              data-repeat-value={p.panel.repeat ? String(p.panel.scopedVars?.[p.panel.repeat]?.value ?? '') : undefined}
              data-query-error={p.error ?? ''}
              style={{
                position: 'absolute',
                left: g.x * (colWidth + GRID_CELL_VMARGIN),
                top: g.y * (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN),
                width: w,
                height: h,
                background: theme.colors.background.primary,
                border: `1px solid ${theme.colors.border.weak}`,
                borderRadius: theme.shape.radius.default,
                overflow: 'hidden',
              }}
            >
              <header
                style={{
                  height: PANEL_HEADER,
                  lineHeight: `${PANEL_HEADER}px`,
                  padding: `0 ${PANEL_PADDING}px`,
                  fontWeight: 500,
                  fontSize: 14,
                }}
              >
                {p.title}
              </header>
              <div data-testid="panel-body" style={{ padding: `0 ${PANEL_PADDING}px` }}>
                <PanelErrorBoundary>
                  {p.error ? (
                    <div style={{ color: theme.colors.error.text }}>Query error: {p.error}</div>
                  ) : Viz ? (
                    <Viz p={p} {...inner} theme={theme} range={props.range} replace={props.replace} />
                  ) : (
                    <div>Unsupported panel type {p.panel.type}</div>
                  )}
                </PanelErrorBoundary>
              </div>
            </section>
          );
        })}
      </div>
      <div data-testid="dashboard-ready" />
    </div>
  );
}

export function timeRangeOf(from: number, to: number, raw: { from: string; to: string }): TimeRange {
  return { from: dateTime(from), to: dateTime(to), raw };
}
