/**
 * Runs tests/dashboards/dashboard-queries.ts in a child process and checks its reports against what
 * each panel's options expect to find in the frames.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, readAllDashboards, type Json } from './dashboard-files';
import type { FrameReport, TargetReport } from './dashboard-queries';

const SCRIPT = path.join(REPO_ROOT, 'tests', 'dashboards', 'dashboard-queries.ts');

export function runDashboardQueriesScript(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TargetReport[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`dashboard-queries ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`));
        try {
          resolve(JSON.parse(stdout) as TargetReport[]);
        } catch (e) {
          reject(new Error(`dashboard-queries printed no JSON: ${(e as Error).message}\n${stdout.slice(0, 500)}\n${stderr.slice(-2000)}`));
        }
      });
  });
}

export const label = (r: TargetReport) => `${r.file} #${r.panelId} "${r.title}" ${r.refId}`;

/** Numeric fields that hold at least one value. */
export function numericWithValues(frames: FrameReport[]): string[] {
  return frames.flatMap((f) => f.fields.filter((x) => x.type === 'number' && x.present > 0).map((x) => x.displayName));
}

export function panelOf(r: TargetReport): Json {
  const d = readAllDashboards().find((x) => x.file === r.file)!;
  return (d.json.panels as Json[]).find((p) => p.id === r.panelId)!;
}

/** The names a `/^(A|B \(x\))$/` field filter lists, unescaped; undefined for "all numeric fields". */
export function namesInFieldFilter(filter: string | undefined): string[] | undefined {
  const m = /^\/\^\((.*)\)\$\/$/.exec(filter ?? '') ?? /^\/\^(.*)\$\/$/.exec(filter ?? '');
  if (!m) return undefined;
  return m[1]!.split('|').map((s) => s.replace(/\\(.)/g, '$1'));
}

/**
 * What a panel renders, in words, so a failing test names the problem: every value the stat or
 * gauge asks for exists and has a value, every calculated or renamed column exists.
 */
export function panelProblems(r: TargetReport): string[] {
  const problems: string[] = [];
  const panel = panelOf(r);
  const final = r.transformed ?? r.frames;
  if (r.transformError) problems.push(`transformations failed: ${r.transformError}`);
  const present = new Set(numericWithValues(final));
  const allNames = new Set(final.flatMap((f) => f.fields.map((x) => x.displayName)));
  if (!present.size) problems.push('no numeric field with a value after the transformations');
  const wanted = namesInFieldFilter(panel.options?.reduceOptions?.fields);
  for (const name of wanted ?? []) if (!present.has(name)) problems.push(`reduceOptions.fields wants "${name}", fields are: ${[...allNames].join(', ')}`);
  for (const t of (panel.transformations ?? []) as Json[]) {
    if (t.id === 'calculateField' && t.options.alias && !t.options.replaceFields && !present.has(t.options.alias)) {
      problems.push(`calculated field "${t.options.alias}" missing or empty`);
    }
    if (t.id === 'organize') {
      for (const to of Object.values((t.options.renameByName ?? {}) as Record<string, string>)) {
        if (!allNames.has(to)) problems.push(`organize renames to "${to}" but no such column (columns: ${[...allNames].join(', ')})`);
      }
    }
  }
  return problems;
}
