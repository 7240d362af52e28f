import { localDay } from '@core';
import type { WabaConfig } from '../config';
import { currencyOfDay, currencyPeriods, type WabaInfo } from '../query';

/** A configured WABA as the query layer sees it (the currency as dated periods). */
export function wabaInfoOf(w: WabaConfig): WabaInfo {
  return {
    id: w.id,
    name: w.name,
    timezone: w.timezone,
    currencies: currencyPeriods(w.currency),
    portfolio: w.portfolio,
    ...(w.monthlyBudget !== undefined ? { monthlyBudget: w.monthlyBudget } : {}),
  };
}

/** The currency a WABA is billed in today (WABA-local), e.g. for figures Meta sends without one. */
export const currencyToday = (w: WabaConfig, nowMs: number): string => currencyOfDay(wabaInfoOf(w), localDay(nowMs, w.timezone));
