import { currenciesOf, currencyOn, parseCurrencySchedule, type CurrencyPeriod, type CurrencySchedule, type PriceBook } from '@core';
import type { ConnectorStore } from '../store';

/** A configured WABA as the query layer needs it. */
export interface WabaInfo {
  id: string;
  name: string;
  timezone: string;
  /**
   * Billing currency by WABA-local day (a plain code is one period from the beginning). Read it only
   * through `currencyOfDay`: every day is priced, grouped and labelled in the currency in force that day.
   */
  currencies: readonly CurrencyPeriod[];
  portfolio: string;
  /** In the currency in force today. */
  monthlyBudget?: number;
}

/** ISO 4217 "no currency": days before the first dated entry of a WABA's schedule (no card prices them). */
export const NO_CURRENCY = 'XXX';

/** A configured `currency` (code or dated list) as periods. */
export const currencyPeriods = (schedule: CurrencySchedule): CurrencyPeriod[] => parseCurrencySchedule(schedule, 'currency');

// Per WABA and day: a query looks the same few days up for every row.
const dayCurrencies = new WeakMap<WabaInfo, Map<string, string>>();

/** The currency a WABA is billed in on a WABA-local day. */
export function currencyOfDay(waba: WabaInfo, day: string): string {
  let days = dayCurrencies.get(waba);
  if (!days) dayCurrencies.set(waba, (days = new Map()));
  let code = days.get(day);
  if (code === undefined) days.set(day, (code = currencyOn(waba.currencies, day) ?? NO_CURRENCY));
  return code;
}

/** The currencies a WABA is billed in during a WABA-local month (two in the month of a switch), in order. */
export function currenciesInMonth(waba: WabaInfo, month: string): string[] {
  const out = [currencyOfDay(waba, `${month}-01`)];
  for (const p of waba.currencies) if (p.from.startsWith(month) && !out.includes(p.code)) out.push(p.code);
  return out;
}

/** Every currency a WABA is billed in over its schedule. */
export const currenciesOfWaba = (waba: WabaInfo): string[] => currenciesOf(waba.currencies);

/** Everything a query needs; `generation` changes whenever stored data or prices change (cache key). */
export interface QueryContext {
  store: ConnectorStore;
  wabas: ReadonlyMap<string, WabaInfo>;
  priceBook(): PriceBook;
  generation(): number;
  now(): number;
  /**
   * Answer estimate usage panels that do not split or filter by phone, country or group from the
   * stored priced rollups where their months are clean (usage-series.ts); off: priced at query time.
   */
  readPricedRollups?: boolean;
}

/** WABAs a filter selects (all when empty); unknown ids are ignored so a stale dashboard variable does not fail a panel. */
export function selectedWabas(ctx: QueryContext, ids: readonly string[]): WabaInfo[] {
  const all = [...ctx.wabas.values()];
  return ids.length === 0 ? all : all.filter((w) => ids.includes(w.id));
}
