import type { PricingModel } from '../model/category';
import { assertDay } from '../time/calendar';
import { localDay } from '../time/local-time';

/** First WABA-local day of per-message pricing: 2025-07-01 00:00 in each WABA's time zone. */
export const PMP_START_DAY = '2025-07-01';

/** CBP before 2025-07-01 00:00 WABA-local, PMP from then on. */
export function pricingModelOnDay(day: string): PricingModel {
  return assertDay(day) >= PMP_START_DAY ? 'PMP' : 'CBP';
}

export function pricingModelAt(atMs: number, timezone: string): PricingModel {
  return localDay(atMs, timezone) >= PMP_START_DAY ? 'PMP' : 'CBP';
}
