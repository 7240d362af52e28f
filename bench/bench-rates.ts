/**
 * Price files of the bench store: the demo's INVENTED USD rate cards, volume-tier tables (Brazil,
 * India, Germany) and call rates for every quarter the store covers (src/connector/demo's
 * generator), imported with `waspend rates|tiers|call-rates import` before the store is built, so
 * cost, tier and call-cost panels have prices to show.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addDays, localDay } from '@core';
import { buildDemoRateFiles } from '../src/connector/demo/demo-rates';
import { CLI, ROOT, trackChild } from './connector-process';

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

/** Imports the USD price files in force over the store's days; returns how many files. */
export async function importBenchPrices(db: string, config: string, days: number, endSec: number): Promise<number> {
  const lastDay = localDay(endSec * 1000 - 1, 'UTC');
  const firstDay = addDays(lastDay, -days);
  const files = buildDemoRateFiles(['USD'], firstDay, lastDay);
  const dir = path.dirname(config);
  for (const f of files) {
    const file = path.join(dir, f.fileName);
    fs.writeFileSync(file, f.text);
    const currency = f.kind === 'rates' ? [] : ['--currency', f.currency];
    await runCli([COMMAND[f.kind], 'import', file, '--effective', f.effectiveFrom, '--db', db, '--config', config, ...currency]);
  }
  return files.length;
}
