import { seedDemo, writeDemoNdjson } from '../demo';
import { createEnvelopeIngest } from '../store';
import { importDemoRateFile } from '../runtime/price-files';
import { CLI_BUSY_TIMEOUT_MS, openStore } from '../runtime/open-store';
import { demoConfig } from '../runtime/demo-config';
import { parseAsOf, resolveDb } from './options';

export interface DemoFlags {
  db?: string;
  out?: string;
  days: string;
  scale: string;
  seed: string;
  asOf?: string;
}

/**
 * `waspend demo`: a realistic month (three WABAs in BRL/INR/EUR, many countries, campaigns, calls,
 * click-to-WhatsApp referrals, duplicates and out-of-order statuses) into a store, or as NDJSON for replay.
 */
export async function demo(flags: DemoFlags): Promise<void> {
  const asOfMs =
    (flags.asOf !== undefined ? parseAsOf(flags.asOf) : parseAsOf(process.env.WASPEND_DEMO_AS_OF, 'WASPEND_DEMO_AS_OF')) ?? Date.now();
  const options = { asOfMs, days: Number(flags.days), scale: Number(flags.scale), seed: flags.seed };
  if (!(options.days > 0 && options.days <= 400)) throw new Error('--days must be between 1 and 400');
  if (!(options.scale > 0 && options.scale <= 1000)) throw new Error('--scale must be a positive number up to 1000');
  if (flags.out) {
    const r = await writeDemoNdjson(flags.out, options);
    process.stdout.write(
      `wrote ${r.envelopes} webhook bodies (${(r.bytes / 1e6).toFixed(1)} MB) to ${flags.out}; post them with: waspend replay ${flags.out} --url URL\n`,
    );
    return;
  }
  const config = demoConfig('unused');
  const store = await openStore(resolveDb(flags), {
    timezones: Object.fromEntries(config.wabas.map((w) => [w.id, w.timezone])),
    busyTimeoutMs: CLI_BUSY_TIMEOUT_MS,
  });
  try {
    const started = Date.now();
    const r = await seedDemo({
      ...options,
      ingest: createEnvelopeIngest(store),
      sink: store,
      invoices: store,
      importRates: (f) => importDemoRateFile(store, f),
      onProgress: (p) => {
        if (p.phase !== 'webhooks' || p.done % 10_000 === 0) process.stderr.write(`  ${p.phase}: ${p.done}\n`);
      },
    });
    process.stdout.write(
      `demo stored: ${r.rateFiles} price files, ${r.envelopes} webhook bodies (${r.statuses} statuses), ${r.metaPricingRows} Meta pricing rows, ${r.metaCallRows} Meta call rows, ${r.invoices} invented invoices in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await store.close();
  }
}
