import fs from 'node:fs';
import path from 'node:path';
import { importRateFile, type RateFileKind } from '../runtime/price-files';
import { CLI_BUSY_TIMEOUT_MS, openStore } from '../runtime/open-store';
import { resolveDb, type CommonFlags } from './options';
import { loadConfig } from '../config';

export interface ImportFlags extends CommonFlags {
  effective: string;
  currency?: string;
}

/** `waspend rates|tiers|call-rates import FILE`: validates the file with core's parser, then stores it. */
export async function importPriceFile(kind: RateFileKind, file: string, flags: ImportFlags): Promise<void> {
  const config = flags.config ? loadConfig(flags.config) : undefined;
  const text = fs.readFileSync(file, 'utf8');
  const store = await openStore(resolveDb(flags, config), { timezones: {}, busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  try {
    const started = Date.now();
    const entry = await importRateFile(
      store,
      {
        kind,
        text,
        effectiveFrom: flags.effective,
        fileName: path.basename(file),
        ...(flags.currency ? { currency: flags.currency } : {}),
      },
      Date.now(),
    );
    const size = `${(entry.kind === 'rate_card' ? entry.rates : entry.tiers).size} markets`;
    process.stdout.write(
      `imported ${kind} ${path.basename(file)}: ${entry.currency}, effective ${flags.effective}, ${size} (${Date.now() - started} ms)\n`,
    );
    // Migration 013's priced rollups: the import marked the months it touches in its own transaction.
    process.stderr.write(
      `stored prices of every month with usage from ${flags.effective} on are marked stale: a running connector re-prices them in the background and prices them at query time until it has.\n`,
    );
  } finally {
    await store.close();
  }
}
