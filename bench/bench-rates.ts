/**
 * Price files of the bench store: the demo's INVENTED USD rate cards, volume-tier tables (Brazil,
 * India, Germany) and call rates for every quarter the store covers (src/connector/demo's
 * generator), imported with `waspend rates|tiers|call-rates import` before the store is built, so
 * cost, tier and call-cost panels have prices to show. The tier tables keep the demo's rates but
 * take the bench plan's bounds (store-plan.ts tierLadder), so tiers are crossed at every scale.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addDays, localDay } from '@core';
import { buildDemoRateFiles } from '../src/connector/demo/demo-rates';
import { CLI, ROOT, trackChild } from './connector-process';
import { tierLadder, type BuildPlan, type TierStep } from './store-plan';

const COMMAND = { rates: 'rates', tiers: 'tiers', call_rates: 'call-rates' } as const;

/** Runs one `waspend` CLI command to completion; rejects with its output when it fails. */
export function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let text = '';
    const keep = (d: Buffer) => (text = (text + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`waspend ${args.slice(0, 2).join(' ')} exited ${code}: ${text}`)),
    );
  });
}

/** The demo's three-step tier table (Market,Category,Lower,Upper,Rate) with each step's bounds replaced by the ladder's. */
export function withLadder(csv: string, ladder: readonly TierStep[]): string {
  const [header, ...rows] = csv.trim().split('\n');
  const byMarketCategory = new Map<string, number>();
  const out = rows.map((row) => {
    const cells = row.split(',');
    const key = `${cells[0]},${cells[1]}`;
    const index = byMarketCategory.get(key) ?? 0;
    byMarketCategory.set(key, index + 1);
    const step = ladder[index];
    if (!step || cells.length !== 5) throw new Error(`demo tier table row "${row}" does not fit the bench's ${ladder.length}-step ladder`);
    return [cells[0], cells[1], step.lower, step.upper ?? 'MAX', cells[4]].join(',');
  });
  if ([...byMarketCategory.values()].some((n) => n !== ladder.length))
    throw new Error(`demo tier table is not ${ladder.length} steps per market and category`);
  return [header, ...out].join('\n') + '\n';
}

/** Imports the USD price files in force over the store's days; returns how many files. */
export async function importBenchPrices(db: string, config: string, plan: BuildPlan): Promise<number> {
  const lastDay = localDay(plan.endSec * 1000 - 1, 'UTC');
  const firstDay = addDays(lastDay, -plan.days);
  const ladder = tierLadder(plan);
  const files = buildDemoRateFiles(['USD'], firstDay, lastDay).map((f) =>
    f.kind === 'tiers' ? { ...f, text: withLadder(f.text, ladder) } : f,
  );
  const dir = path.dirname(config);
  for (const f of files) {
    const file = path.join(dir, f.fileName);
    fs.writeFileSync(file, f.text);
    const currency = f.kind === 'rates' ? [] : ['--currency', f.currency];
    await runCli([COMMAND[f.kind], 'import', file, '--effective', f.effectiveFrom, '--db', db, '--config', config, ...currency]);
  }
  return files.length;
}
