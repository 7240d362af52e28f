import type { HttpContext } from './http-client';
import type { MetaCallRow, MetaPricingRow, PullSource } from './pull-sink';
import type { PullLogger, PullOptions, PullWabaConfig } from './pull-types';
import type { DayChunk } from './day-plan';

/** What Meta says about the WABA itself, read once per run and shared by its Meta sources. */
export interface WabaFacts {
  currency: string;
  /** Display-number digits -> phone number id. */
  phoneIds: Map<string, string>;
}

export interface SourceContext {
  waba: PullWabaConfig;
  http: HttpContext;
  options: PullOptions;
  logger: PullLogger;
  wabaFacts(): Promise<WabaFacts>;
}

export interface SourceRows {
  pricing?: MetaPricingRow[];
  calls?: MetaCallRow[];
}

/** One analytics source: which WABAs it applies to, which days it covers, and how to fetch a chunk. */
export interface SourceDefinition {
  source: PullSource;
  enabled(waba: PullWabaConfig): boolean;
  minDay?: string;
  maxDay?: string;
  fetchChunk(ctx: SourceContext, chunk: DayChunk): Promise<SourceRows>;
}
