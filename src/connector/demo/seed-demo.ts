import { daysOf } from '../pull/day-plan';
import type { MetaCallRow, MetaPricingRow, PullSink } from '../pull/pull-sink';
import { demoInvoices, type DemoInvoice } from './demo-invoices';
import type { DemoRateFile } from './demo-rates';
import type { WebhookEnvelope } from './envelopes';
import { generateDemo, type Demo, type DemoOptions } from './generate-demo';

/** The connector's ingest entry point (what POST /webhooks/whatsapp calls after checks). */
export interface DemoIngest {
  ingest(envelope: WebhookEnvelope): Promise<void>;
  /** Optional batch form: used when present (one durable commit per batch). */
  ingestMany?(envelopes: WebhookEnvelope[]): Promise<void>;
}

export interface SeedDemoOptions extends DemoOptions {
  ingest: DemoIngest;
  /** Receives Meta's figures (sources meta_pricing and meta_calls); skipped when absent. */
  sink?: PullSink;
  /** Stores the invented invoices of the months that ended in the demo (demo-invoices.ts); skipped when absent. */
  invoices?: {
    saveInvoices(invoices: (DemoInvoice & { source: 'cli' | 'api'; enteredAtMs: number })[]): Promise<unknown>;
  };
  /** Imports one invented rate file (rates / tiers / call_rates); skipped when absent. */
  importRates?(file: DemoRateFile): Promise<void>;
  /** Envelopes per ingestMany call (default 500). */
  batchSize?: number;
  onProgress?(progress: { phase: 'rates' | 'webhooks' | 'meta'; done: number }): void;
}

export interface SeedDemoResult {
  demo: Demo;
  rateFiles: number;
  envelopes: number;
  statuses: number;
  metaPricingRows: number;
  metaCallRows: number;
  invoices: number;
}

async function writeMetaFigures(demo: Demo, sink: PullSink, pricing: MetaPricingRow[], calls: MetaCallRow[]): Promise<void> {
  for (const waba of demo.wabas) {
    const range = demo.completeDays(waba.id);
    if (range.from > range.to) continue;
    const days = daysOf(range);
    const cursor = { lastCompleteDay: range.to };
    await sink.replaceDays(waba.id, 'meta_pricing', days, { pricing: pricing.filter((r) => r.wabaId === waba.id) }, cursor);
    await sink.replaceDays(waba.id, 'meta_calls', days, { calls: calls.filter((r) => r.wabaId === waba.id) }, cursor);
  }
}

/**
 * Seeds a store with the demo: the invented rate cards first, then every webhook through the
 * connector's real ingest path (duplicates and out-of-order statuses included), then Meta's figures
 * for the complete days through the PullSink, exactly as a pull would write them.
 */
export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoResult> {
  const demo = generateDemo(options);
  const batchSize = Math.max(1, options.batchSize ?? 500);
  let rateFiles = 0;
  if (options.importRates) {
    for (const file of demo.rateFiles) {
      await options.importRates(file);
      options.onProgress?.({ phase: 'rates', done: ++rateFiles });
    }
  }
  let envelopes = 0;
  let statuses = 0;
  let batch: WebhookEnvelope[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    if (options.ingest.ingestMany) await options.ingest.ingestMany(batch);
    else for (const envelope of batch) await options.ingest.ingest(envelope);
    envelopes += batch.length;
    batch = [];
    options.onProgress?.({ phase: 'webhooks', done: envelopes });
  };
  for (const { envelope } of demo.envelopes()) {
    for (const change of envelope.entry[0]?.changes ?? [])
      statuses += Array.isArray(change.value.statuses) ? change.value.statuses.length : 0;
    batch.push(envelope);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const figures = demo.metaFigures();
  if (options.sink) {
    await writeMetaFigures(demo, options.sink, figures.pricing, figures.calls);
    options.onProgress?.({ phase: 'meta', done: figures.pricing.length + figures.calls.length });
  }
  const invoices = demoInvoices(demo, figures.pricing, figures.calls);
  // Entered "by CLI" at the demo's end, as finance would after the month closed.
  if (options.invoices) await options.invoices.saveInvoices(invoices.map((i) => ({ ...i, source: 'cli', enteredAtMs: demo.asOfMs })));
  return {
    demo,
    rateFiles,
    envelopes,
    statuses,
    metaPricingRows: figures.pricing.length,
    metaCallRows: figures.calls.length,
    invoices: options.invoices ? invoices.length : 0,
  };
}
