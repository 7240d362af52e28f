import { queryPanels, readAllDashboards } from './dashboard-files';
import { runGoldenScript } from './panel-checks';
import type { GoldenPanel } from './golden-panels';

// Golden numbers: every stat, gauge, bar gauge, pie chart and table of every dashboard shows, as Grafana would
// display it (runQuery -> the panel's transformations -> applyFieldOverrides -> getFieldDisplayValues,
// all from @grafana/data), exactly the figure computed by hand from the connector's raw API answers
// (golden-expectations.ts); every time series line adds up to the API's total for its series.
// Fed by the contract-valid stand-in connector (synthetic-connector.ts); dashboard-frames.test.ts
// runs the same check against a real demo connector.

// The voice-call figures of issue 12: 403 calls in the range and 265 in the period before it.
const RANGE = ['--from', String(Date.UTC(2026, 9, 1)), '--to', String(Date.UTC(2026, 9, 20))];

let panels: GoldenPanel[];
beforeAll(async () => {
  panels = await runGoldenScript(['--synthetic', ...RANGE]);
}, 180_000);

const label = (p: GoldenPanel) => `${p.file} #${p.panelId} "${p.title}"`;

test('every stat, gauge, bar gauge, pie chart, table and time series panel was computed', () => {
  const want = readAllDashboards().flatMap(({ file, json }) =>
    queryPanels(json)
      .filter((p) => ['stat', 'gauge', 'bargauge', 'piechart', 'table', 'timeseries', 'barchart'].includes(p.type))
      .map((p) => `${file} #${p.id} "${p.title}"`),
  );
  // A repeated panel appears once per value of its variable.
  expect([...new Set(panels.map(label))].sort()).toEqual(want.sort());
  for (const p of panels.filter((x) =>
    readAllDashboards().some((d) => d.file === x.file && (d.json.panels as any[]).some((q) => q.id === x.panelId && q.repeat)),
  ))
    expect({ at: label(p), repeat: Object.keys(p.repeat ?? {}).length }).toEqual({ at: label(p), repeat: 1 });
  for (const p of panels)
    expect({ at: label(p), values: (p.displayed?.length ?? 0) + (p.series?.length ?? 0) + (p.tables?.length ?? 0) > 0 }).toEqual({
      at: label(p),
      values: true,
    });
});

// One test per panel type the dashboards use, so a red names the kind of panel.
const TYPES = [...new Set(readAllDashboards().flatMap(({ json }) => queryPanels(json).map((p) => p.type as string)))].filter((t) =>
  ['stat', 'gauge', 'bargauge', 'piechart', 'table', 'timeseries', 'barchart'].includes(t),
);

test.each(TYPES)('every %s panel shows the API figures', (type) => {
  const checked = panels.filter((p) => p.panelType === type);
  expect(checked.length).toBeGreaterThan(0);
  expect(checked.flatMap((p) => (p.problems ?? ['not checked']).map((x) => `${label(p)}: ${x}`))).toEqual([]);
});

test('the voice-call stats count the range once: 403 calls, +52.1 % against 265', () => {
  const calls = panels.find((p) => p.dashboardUid === 'waspend-calls' && p.panelId === 1)!;
  const current = calls.responses.find((r) => Number(r.params.from) === calls.range.fromMs)!;
  const previous = calls.responses.find((r) => Number(r.params.to) === calls.range.fromMs)!;
  const total = (r: typeof current) => (r.body as { rows: Array<{ calls: number }> }).rows.reduce((s, x) => s + x.calls, 0);
  // The stand-in connector's data for this range, summed here from its raw JSON.
  expect([total(current), total(previous)]).toEqual([403, 265]);
  expect(calls.displayed!.map((d) => `${d.title}: ${d.shown}`).sort()).toEqual(['Calls in range: 403', 'Change vs previous period: 52.1%']);
});
