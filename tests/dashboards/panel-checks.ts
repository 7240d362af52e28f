/**
 * Runs tests/dashboards/dashboard-queries.ts in a child process and checks its reports against what
 * each panel's options expect to find in the frames.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, readAllDashboards, type Json } from './dashboard-files';
import type { FrameReport, TargetReport } from './dashboard-queries';
import type { GoldenPanel } from './golden-panels';

const SCRIPT = path.join(REPO_ROOT, 'tests', 'dashboards', 'dashboard-queries.ts');

export function runDashboardQueriesScript(args: string[], env: NodeJS.ProcessEnv = {}): Promise<TargetReport[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SCRIPT, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`dashboard-queries ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`));
        try {
          resolve(JSON.parse(stdout) as TargetReport[]);
        } catch (e) {
          reject(new Error(`dashboard-queries printed no JSON: ${(e as Error).message}\n${stdout.slice(0, 500)}\n${stderr.slice(-2000)}`));
        }
      },
    );
  });
}

const GOLDEN_SCRIPT = path.join(REPO_ROOT, 'tests', 'dashboards', 'golden-panels.ts');

/** Runs golden-panels.ts --check in a child process (see there): every panel with its problems. */
export function runGoldenScript(args: string[], env: NodeJS.ProcessEnv = {}): Promise<GoldenPanel[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', GOLDEN_SCRIPT, '--check', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`golden-panels ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`));
        try {
          resolve(JSON.parse(stdout) as GoldenPanel[]);
        } catch (e) {
          reject(new Error(`golden-panels printed no JSON: ${(e as Error).message}\n${stderr.slice(-2000)}`));
        }
      },
    );
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

/** A `/.../` field filter as Grafana compiles it (stringToJsRegex), or undefined for "all fields". */
export function fieldFilterRegex(filter: string | undefined): RegExp | undefined {
  const m = /^\/(.*)\/([a-z]*)$/.exec(filter ?? '');
  if (!m) return filter ? new RegExp(`^${filter}$`) : undefined;
  return new RegExp(m[1]!, m[2]);
}

/**
 * The alternatives of the filter's first group, unescaped: `/^(A|B \(x\))( · .+)?$/` -> [A, B (x)].
 * Each names one figure the panel means to show.
 */
export function alternativesInFieldFilter(filter: string | undefined): string[] {
  const body = /^\/\^\((.*)$/.exec(filter ?? '')?.[1];
  if (body === undefined) return [];
  const alts: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      cur += body[i + 1] ?? '';
      i += 1;
    } else if (c === '(') {
      depth += 1;
      cur += c;
    } else if (c === ')' && depth === 0) {
      alts.push(cur);
      return alts;
    } else if (c === ')') {
      depth -= 1;
      cur += c;
    } else if (c === '|' && depth === 0) {
      alts.push(cur);
      cur = '';
    } else cur += c;
  }
  return [];
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
  // A displayName override (matched by name) renames the field before the stat filters fields.
  for (const o of (panel.fieldConfig?.overrides ?? []) as Json[]) {
    const to = ((o.properties ?? []) as Json[]).find((x) => x.id === 'displayName')?.value;
    if (o.matcher?.id !== 'byName' || typeof to !== 'string' || to.includes('${')) continue;
    if (present.has(o.matcher.options)) present.add(to);
    if (allNames.has(o.matcher.options)) allNames.add(to);
  }
  if (!present.size) problems.push('no numeric field with a value after the transformations');
  // A time series panel drops frames without a time field; leaving one in means a figure is lost.
  if (r.panelType === 'timeseries') {
    for (const f of final)
      if (!f.fields.some((x) => x.type === 'time')) problems.push(`frame "${f.name ?? ''}" has no time field for the time series`);
  }
  const filter = panel.options?.reduceOptions?.fields as string | undefined;
  const regex = fieldFilterRegex(filter);
  const shown = [...present].filter((n) => !regex || regex.test(n));
  if (regex && !shown.length)
    problems.push(`reduceOptions.fields ${filter} matches no field with a value; fields are: ${[...allNames].join(', ')}`);
  for (const alt of alternativesInFieldFilter(filter)) {
    if (!shown.some((n) => n.startsWith(alt)))
      problems.push(`reduceOptions.fields wants "${alt}", fields are: ${[...allNames].join(', ')}`);
  }
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
