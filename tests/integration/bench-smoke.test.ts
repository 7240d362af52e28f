/**
 * Runs the benchmark harness at --scale tiny (seconds, not minutes) and checks the shape of its
 * JSON: all five sections, each with a target, a met flag and numbers. No timing assertions.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SECTIONS = ['ingest', 'queries', 'queryLayer', 'memory', 'repricing'] as const;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'bench.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every finite number anywhere inside a value. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('npm run bench --scale tiny', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const out = path.join(dir, 'results.json');
  let result: { code: number | null; stdout: string; stderr: string };
  let json: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    result = await runBench(['--scale', 'tiny', '--no-postgres', '--out', out]);
    json = JSON.parse(result.stdout);
  }, 240_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints exactly the JSON it writes to --out', () => {
    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(json);
    expect(json.scale).toBe('tiny');
  });

  it.each(SECTIONS)('has section %s with a target, a boolean met and numeric fields', (name) => {
    const section = json[name] as Record<string, unknown>;
    expect(section).toBeDefined();
    expect(typeof section.met).toBe('boolean');
    expect(numbersIn(section.target).length).toBeGreaterThan(0);
    expect(typeof section.durationMs).toBe('number');
    // A section either measured something or says why it could not.
    const measured = numbersIn({ ...section, target: null, durationMs: null }).length > 0;
    expect(measured || typeof section.unavailable === 'string' || typeof section.error === 'string').toBe(true);
    expect(section.error).toBeUndefined();
  });

  it('prices the query-layer result in-process with core and reports per-row cost', () => {
    const layer = json.queryLayer as { rows: number; corePricing: { medianMs: number; usPerRow: number } };
    expect(layer.rows).toBe(7 * 5 * 7 * 2);
    expect(layer.corePricing.medianMs).toBeGreaterThan(0);
    expect(layer.corePricing.usPerRow).toBeGreaterThan(0);
  });

  it('describes the machine, including the disk fsync rate', () => {
    const machine = json.machine as { nproc: number; memoryGiB: number; node: string; fsyncWritesPerSec: number | null };
    expect(machine.nproc).toBeGreaterThan(0);
    expect(machine.memoryGiB).toBeGreaterThan(0);
    expect(machine.node).toMatch(/^v\d+/);
  });
});
