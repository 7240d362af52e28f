import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { parseInvoiceCsv } from '../invoices';
import { CLI_BUSY_TIMEOUT_MS, openStore } from '../runtime/open-store';
import { resolveDb, type CommonFlags } from './options';

/**
 * `waspend invoice import FILE`: Meta's monthly invoices (`month,waba,currency,amount`). Every row is
 * checked before anything is stored; one bad row stores nothing and every problem is printed.
 */
export async function importInvoices(file: string, flags: CommonFlags): Promise<void> {
  const config = flags.config ? loadConfig(flags.config) : undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`waspend: FILE: cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    process.exitCode = 1;
    return;
  }
  const source = path.basename(file);
  const { invoices, errors } = parseInvoiceCsv(text, source, config ? { knownWabas: new Set(config.wabas.map((w) => w.id)) } : {});
  if (errors.length) {
    process.stderr.write(
      `${errors.map((e) => `waspend: ${e}`).join('\n')}\nwaspend: nothing imported from ${source} (${errors.length} problem${errors.length === 1 ? '' : 's'})\n`,
    );
    process.exitCode = 1;
    return;
  }
  const store = await openStore(resolveDb(flags, config), { timezones: {}, busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
  try {
    const now = Date.now();
    const { saved, replaced } = await store.saveInvoices(invoices.map((i) => ({ ...i, source: 'cli' as const, enteredAtMs: now })));
    process.stdout.write(`imported ${saved} invoice${saved === 1 ? '' : 's'} from ${source} (${replaced} replaced an earlier entry)\n`);
  } finally {
    await store.close();
  }
}
