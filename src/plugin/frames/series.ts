import { InputError } from '@core';
import type { UsageDimension } from '@contract';

/** Where each grouping dimension lives on a contract row. */
export const ROW_FIELD_OF: Record<UsageDimension, string> = {
  waba: 'wabaId',
  phone: 'phoneNumberId',
  country: 'country',
  market: 'market',
  category: 'category',
  pricing_type: 'pricingType',
  direction: 'direction',
  group: 'group',
};

const WORDS: Record<string, string> = {
  marketing_lite: 'Marketing lite',
  authentication_international: 'Authentication international',
  referral_conversion: 'Referral conversion',
  free_customer_service: 'Free customer service',
  free_entry_point: 'Free entry point',
  free_tier: 'Free tier',
  business_initiated: 'Business-initiated',
  user_initiated: 'User-initiated',
};

/** Turns a wire value into what a legend shows: `free_entry_point` -> `Free entry point`. */
export function formatLabelValue(dim: UsageDimension, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return dim === 'group' ? 'No group' : 'Unknown';
  if (dim === 'category' || dim === 'pricing_type' || dim === 'direction') {
    return WORDS[value] ?? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ');
  }
  return value;
}

export interface Series<R> {
  /** Labels by dimension, raw wire values (null kept as ''), for Grafana's field labels. */
  labels: Record<string, string>;
  /** Legend text, e.g. `Marketing · BR`; the metric name alone when ungrouped. */
  name: string;
  currency: string;
  rows: R[];
}

/**
 * Splits rows into one series per combination of the grouped dimensions (and per currency, since
 * amounts in different currencies never share a line). Rows keep their order within a series.
 */
export function splitSeries<R extends { currency: string }>(
  rows: readonly R[],
  dims: readonly UsageDimension[],
  metric: string,
): Series<R>[] {
  const byKey = new Map<string, Series<R>>();
  const currencies = new Set(rows.map((r) => r.currency));
  for (const row of rows) {
    const values = dims.map((d) => (row as Record<string, unknown>)[ROW_FIELD_OF[d]] as string | null | undefined);
    const key = JSON.stringify([row.currency, ...values]);
    let s = byKey.get(key);
    if (!s) {
      const labels = Object.fromEntries(dims.map((d, i) => [d, values[i] ?? '']));
      const parts = dims.map((d, i) => formatLabelValue(d, values[i]));
      if (currencies.size > 1) parts.push(row.currency);
      s = { labels, name: parts.length ? parts.join(' · ') : metric, currency: row.currency, rows: [] };
      byKey.set(key, s);
    }
    s.rows.push(row);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Money on the wire is a decimal string; charts need numbers. null (no known rate) stays null. */
export function toAmount(cost: string | null, field: string): number | null {
  if (cost === null) return null;
  const n = Number(cost);
  if (cost.trim() === '' || !Number.isFinite(n)) throw new InputError(field, cost, 'is not a decimal amount');
  return n;
}

export { currencyUnit, currencyDecimals, moneyFieldConfig } from './money-units';
