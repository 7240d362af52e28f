import type { InvoiceStore } from './invoice-store';
import type { PricedRollupStore } from './priced-rollups';
import type { RateFileStore } from './rate-files';
import type { ReportDeliveryStore } from './report-deliveries';
import type { DayRange, Store, UsageDailyRow } from './store';

/** A terminated call with the key it is counted under in calls_daily, for per-call pricing (pulses round per call). */
export interface FinishedCall {
  callId: string;
  day: string;
  wabaId: string;
  phoneNumberId: string | null;
  country: string | null;
  market: string;
  direction: string | null;
  startMs: number;
  durationSec: number;
}

/** A counted (delivered) message: when, and the usage_daily key it is counted under (as stored, JSON). */
export interface DeliveredMessage {
  atMs: number;
  countedKey: string;
}

/** What the running connector needs beyond the ingest/rollup `Store`: price files, invoices, report deliveries and per-call records. */
export interface ConnectorStore extends Store, RateFileStore, InvoiceStore, ReportDeliveryStore, PricedRollupStore {
  finishedCalls(range: DayRange): Promise<FinishedCall[]>;
  /** usage_daily summed to the pricing grain (phone, country and group null), for panels that do not split by them; ordered by that key, day first. */
  usagePricingDaily(range: DayRange): Promise<UsageDailyRow[]>;
  /** Counted messages delivered in [fromMs, toMs), for hourly buckets. */
  deliveredMessages(range: { fromMs: number; toMs: number }): Promise<DeliveredMessage[]>;
}
