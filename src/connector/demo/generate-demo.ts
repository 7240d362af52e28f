import { addDays, localDay, type PriceBook } from '@core';
import type { MetaCallRow, MetaPricingRow } from '../pull/pull-sink';
import { buildDemoPriceBook, buildDemoRateFiles, type DemoRateFile } from './demo-rates';
import { DEMO_WABAS, type DemoWaba } from './demo-wabas';
import { toEnvelopes, type DemoEnvelope } from './envelopes';
import { buildMetaCallRows, buildMetaPricingRows } from './meta-figures';
import { runSimulation } from './simulate';
import type { SimShared } from './sim-state';

export interface DemoOptions {
  /** Same seed (and asOf, days, scale) -> byte-identical output. */
  seed?: string | number;
  /** The demo ends here ("now"); the last WABA-local day is partial. */
  asOfMs: number;
  /** WABA-local days of traffic up to asOf (default 60). */
  days?: number;
  /** Multiplies every volume (1 = a few hundred thousand status events over 60 days). */
  scale?: number;
}

export interface DemoMetaFigures {
  pricing: MetaPricingRow[];
  calls: MetaCallRow[];
}

export interface Demo {
  seed: string;
  asOfMs: number;
  days: number;
  scale: number;
  wabas: readonly DemoWaba[];
  /** First and last complete WABA-local day per WABA (what the Meta figures cover). */
  completeDays(wabaId: string): { from: string; to: string };
  /** INVENTED rate cards (Meta's Rates CSV layout), tier tables and call rates, per currency and quarter. */
  rateFiles: DemoRateFile[];
  priceBook: PriceBook;
  /** The webhook stream in delivery order; a fresh, identical iterator on every call. */
  envelopes(): Generator<DemoEnvelope>;
  /** pricing_analytics / call_analytics-style rows for the complete days (runs the simulation once, then cached). */
  metaFigures(): DemoMetaFigures;
}

/** Generates a deterministic, realistic multi-WABA demo (see docs/demo.md). */
export function generateDemo(options: DemoOptions): Demo {
  const seed = String(options.seed ?? 'waspend-demo');
  const days = Math.max(1, Math.floor(options.days ?? 60));
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(options.asOfMs)) throw new Error('generateDemo: scale must be > 0 and asOfMs epoch milliseconds');
  const wabas = DEMO_WABAS;
  const lastDays = wabas.map((w) => localDay(options.asOfMs, w.timezone));
  const firstDay = lastDays.map((d) => addDays(d, -(days - 1))).sort()[0] as string;
  const rateFiles = buildDemoRateFiles([...new Set(wabas.map((w) => w.currency))], firstDay, [...lastDays].sort().at(-1) as string);
  const priceBook = buildDemoPriceBook(rateFiles);
  const simOptions = { seed, asOfMs: options.asOfMs, days, scale, wabas };
  let finished: SimShared | null = null;
  let figures: DemoMetaFigures | null = null;

  return {
    seed,
    asOfMs: options.asOfMs,
    days,
    scale,
    wabas,
    rateFiles,
    priceBook,
    completeDays(wabaId) {
      const waba = wabas.find((w) => w.id === wabaId);
      if (!waba) throw new Error(`not a demo WABA: ${wabaId}`);
      const today = localDay(options.asOfMs, waba.timezone);
      return { from: addDays(today, -(days - 1)), to: addDays(today, -1) };
    },
    *envelopes() {
      const sim = runSimulation(simOptions);
      yield* toEnvelopes(sim.events, wabas, seed);
      finished = sim.shared;
    },
    metaFigures() {
      if (figures) return figures;
      if (!finished) {
        const sim = runSimulation(simOptions);
        for (const event of sim.events) void event;
        finished = sim.shared;
      }
      figures = { pricing: buildMetaPricingRows(finished, wabas, priceBook, seed), calls: buildMetaCallRows(finished, wabas, priceBook) };
      return figures;
    },
  };
}
