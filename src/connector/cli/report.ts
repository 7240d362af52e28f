import { loadConfig } from '../config';
import { buildReport, formatReport, parseReportDimensions, type QueryContext, type WabaInfo } from '../query';
import { loadPriceBook } from '../runtime/price-files';
import { CLI_BUSY_TIMEOUT_MS, openStore } from '../runtime/open-store';
import { wabaInfoOf } from '../runtime/waba-info';
import { resolveConfig, resolveDb, type CommonFlags } from './options';

export interface ReportFlags extends CommonFlags {
  from: string;
  to: string;
  by: string;
  format: string;
  source: string;
  waba?: string;
  demo?: boolean;
}

/** `waspend report`: the usage report to stdout, priced with the stored price files (estimate) or Meta's figures. */
export async function report(flags: ReportFlags): Promise<void> {
  if (flags.format !== 'csv' && flags.format !== 'json') throw new Error(`--format must be csv or json, got "${flags.format}"`);
  if (flags.source !== 'estimate' && flags.source !== 'meta') throw new Error(`--source must be estimate or meta, got "${flags.source}"`);
  const by = parseReportDimensions(flags.by);
  const { config } = flags.config ? { config: loadConfig(flags.config) } : resolveConfig(flags, { demo: true });
  const store = await openStore(resolveDb(flags, config), {
    timezones: Object.fromEntries(config.wabas.map((w) => [w.id, w.timezone])),
    busyTimeoutMs: CLI_BUSY_TIMEOUT_MS,
  });
  try {
    const { book } = await loadPriceBook(store);
    const wabas = new Map<string, WabaInfo>(config.wabas.map((w) => [w.id, wabaInfoOf(w)]));
    const ctx: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: Date.now };
    const rows = await buildReport(ctx, {
      from: flags.from,
      to: flags.to,
      by,
      source: flags.source,
      ...(flags.waba ? { waba: flags.waba.split(',') } : {}),
    });
    process.stdout.write(formatReport(rows, flags.format));
  } finally {
    await store.close();
  }
}
