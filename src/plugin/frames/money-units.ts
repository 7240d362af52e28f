import { currencyDigits } from '@core';

/**
 * Unit ids that @grafana/data's value-format registry has in its "Currency" category
 * (packages/grafana-data/src/valueFormats/categories.ts in grafana/grafana; the same ids in every
 * line from 11.6 to 13.x): `currencyUSD` renders "$", `currencyBRL` "R$" and so on.
 */
const GRAFANA_CURRENCY_IDS: ReadonlySet<string> = new Set([
  'USD',
  'GBP',
  'EUR',
  'JPY',
  'RUB',
  'UAH',
  'BRL',
  'DKK',
  'ISK',
  'NOK',
  'SEK',
  'CZK',
  'CHF',
  'PLN',
  'ZAR',
  'INR',
  'KRW',
  'IDR',
  'PHP',
  'VND',
  'TRY',
  'MYR',
  'XPF',
  'BGN',
  'PYG',
  'UYU',
  'ILS',
]);

/**
 * Symbols for the currencies Meta bills in that Grafana has no unit id for. Grafana reads a unit
 * `currency:<symbol>` as "this symbol before the number, scaled like its own currencies"
 * (valueFormats.ts, `getValueFormat`, the `currency` key); `currencyMXN` is no id and would be shown
 * as the literal suffix "currencyMXN". The dollar currencies get a country prefix so they never read
 * as US dollars; those written with letters get a space before the number.
 */
const CUSTOM_SYMBOLS: Readonly<Record<string, string>> = {
  AED: 'AED ',
  ARS: 'ARS ',
  AUD: 'A$',
  CLP: 'CLP ',
  COP: 'COP ',
  MXN: 'MX$',
  PEN: 'S/ ',
  SAR: 'SAR ',
  SGD: 'S$',
};

/**
 * Grafana's unit for an amount in `currency`: its own id where it has one, else `currency:<symbol>`.
 * An unknown code gets its letters as the symbol, so the figure still shows what it is.
 */
export function currencyUnit(currency: string): string {
  const code = currency.toUpperCase();
  if (GRAFANA_CURRENCY_IDS.has(code)) return `currency${code}`;
  return `currency:${CUSTOM_SYMBOLS[code] ?? `${code} `}`;
}

/** Decimals a money field shows: the currency's ISO 4217 minor unit (core's table: CLP 0, most 2). */
export function currencyDecimals(currency: string): number {
  return currencyDigits(currency);
}

/** Field config for an amount in `currency`: unit and decimals. */
export function moneyFieldConfig(currency: string): { unit: string; decimals: number } {
  return { unit: currencyUnit(currency), decimals: currencyDecimals(currency) };
}
