import type { PricingModel } from '../model/category';
import { firstDayWhere, PRICING_RULES, rulesOn, type PricingRuleRow } from '../rules/pricing-rules';
import { localDay } from '../time/local-time';

/** First WABA-local day of per-message pricing (2025-07-01 00:00 in each WABA's zone), from the rules table. */
export const PMP_START_DAY = firstDayWhere((r) => r.pricingModel === 'PMP') as string;

/** CBP before PMP_START_DAY (WABA-local), PMP from then on: the pricing model of the rules in force. */
export function pricingModelOnDay(day: string, table: readonly PricingRuleRow[] = PRICING_RULES): PricingModel {
  return rulesOn(day, table).pricingModel;
}

export function pricingModelAt(atMs: number, timezone: string, table: readonly PricingRuleRow[] = PRICING_RULES): PricingModel {
  return rulesOn(localDay(atMs, timezone), table).pricingModel;
}
