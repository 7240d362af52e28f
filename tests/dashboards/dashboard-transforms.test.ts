import { label, numericWithValues, panelProblems, runDashboardQueriesScript } from './panel-checks';
import { queryPanels, readAllDashboards } from './dashboard-files';
import type { TargetReport } from './dashboard-queries';

// Every dashboard target through the plugin's runQuery and the panel's own Grafana transformations,
// fed by a contract-valid stand-in for the connector (synthetic-connector.ts): catches a stat that
// asks for a field no frame has, a calculation on a misspelt column or a rename of nothing, which
// Grafana would show as "No data" without an error.

// A fixed month, so the projection ("today" = the range end) has days behind and ahead of it.
const RANGE = ['--from', String(Date.UTC(2026, 9, 1)), '--to', String(Date.UTC(2026, 9, 20))];

let reports: TargetReport[];
beforeAll(async () => {
  reports = await runDashboardQueriesScript(['--synthetic', ...RANGE]);
}, 120_000);

test('every target of every dashboard was run', () => {
  const expected = readAllDashboards().flatMap(({ file, json }) =>
    queryPanels(json).flatMap((p) => p.targets.map((t: { refId: string }) => `${file} #${p.id} "${p.title}" ${t.refId}`)),
  );
  expect(reports.map(label).sort()).toEqual(expected.sort());
});

test('every target gives frames with values', () => {
  for (const r of reports) {
    expect({ at: label(r), error: r.error }).toEqual({ at: label(r), error: undefined });
    expect({ at: label(r), valued: numericWithValues(r.frames).length > 0 }).toEqual({ at: label(r), valued: true });
  }
});

test("every panel's transformations and options find the fields they name", () => {
  const problems = reports.flatMap((r) => panelProblems(r).map((p) => `${label(r)}: ${p}`));
  expect(problems).toEqual([]);
});
