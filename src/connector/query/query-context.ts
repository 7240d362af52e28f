import type { PriceBook } from '@core';
import type { ConnectorStore } from '../store';

/** A configured WABA as the query layer needs it. */
export interface WabaInfo {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  portfolio: string;
  monthlyBudget?: number;
}

/** Everything a query needs; `generation` changes whenever stored data or prices change (cache key). */
export interface QueryContext {
  store: ConnectorStore;
  wabas: ReadonlyMap<string, WabaInfo>;
  priceBook(): PriceBook;
  generation(): number;
  now(): number;
}

/** WABAs a filter selects (all when empty); unknown ids are ignored so a stale dashboard variable does not fail a panel. */
export function selectedWabas(ctx: QueryContext, ids: readonly string[]): WabaInfo[] {
  const all = [...ctx.wabas.values()];
  return ids.length === 0 ? all : all.filter((w) => ids.includes(w.id));
}
