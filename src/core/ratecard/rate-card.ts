import { InputError } from '../errors';
import { RATE_COLUMNS, type RateColumn } from '../model/category';
import { toCurrency, type Micros } from '../model/money';
import { assertDay } from '../time/calendar';
import { cellField, mapHeader, readCsvRecords, readRateCell } from './csv-table';

/** Rates are per delivered template (PMP cards) or per opened conversation (CBP cards). */
export type RateUnit = 'message' | 'conversation';
export type MarketRates = Partial<Record<RateColumn, Micros>>;

export interface RateCard {
  kind: 'rate_card';
  currency: string;
  /** First WABA-local day the card applies (00:00 in each WABA's zone). */
  effectiveFrom: string;
  unit: RateUnit;
  /** market -> column -> rate in micro-units. A missing column means Meta publishes no rate (n/a). */
  rates: ReadonlyMap<string, MarketRates>;
  /** The preamble line as published, e.g. "Cost per message in BRL". */
  title?: string;
}

export interface RateCardOptions {
  /** YYYY-MM-DD. Defaults to the date in the preamble ("effective June 1, 2023") when there is one. */
  effectiveFrom?: string;
  /** Expected currency; the file's Currency column must agree. */
  currency?: string;
  /** Overrides the unit read from the preamble. */
  unit?: RateUnit;
  /** Name used in error messages (a file name). */
  source?: string;
}

const HEADER: Readonly<Record<string, string>> = {
  market: 'market',
  currency: 'currency',
  marketing: 'marketing',
  utility: 'utility',
  authentication: 'authentication',
  authenticationinternational: 'authentication_international',
  service: 'service',
};
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function readUnit(title: string): RateUnit | null {
  if (/per\s+message/i.test(title)) return 'message';
  if (/per\s+conversation/i.test(title)) return 'conversation';
  return null;
}

function readEffective(title: string): string | null {
  const m = /effective\s+([a-z]+)\s+(\d{1,2}),?\s+(\d{4})/i.exec(title);
  const month = m ? MONTHS.indexOf((m[1] as string).toLowerCase()) + 1 : 0;
  if (!m || month === 0) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${(m[2] as string).padStart(2, '0')}`;
}

/** Parses Meta's Rates CSV (preamble line, header with a line break inside a cell, `n/a` cells). */
export function parseRateCardCsv(text: string, options: RateCardOptions = {}): RateCard {
  const source = options.source ?? 'rates.csv';
  const records = readCsvRecords(text, source);
  const headerAt = records.findIndex((r) => (r.cells[0] ?? '').trim().toLowerCase() === 'market');
  if (headerAt < 0) throw new InputError(source, text.slice(0, 80), 'has no header row starting with "Market"');
  const header = records[headerAt] as (typeof records)[number];
  const title = records
    .slice(0, headerAt)
    .map((r) => r.cells.filter(Boolean).join(', '))
    .join(' ')
    .trim();
  const columns = mapHeader(header, HEADER, ['market'], source);
  if (!RATE_COLUMNS.some((c) => columns.has(c)))
    throw new InputError(`${source} line ${header.line}`, header.cells.join(','), 'has no rate columns');

  const unit = options.unit ?? readUnit(title);
  if (!unit)
    throw new InputError(
      'unit',
      title || '(no preamble)',
      'cannot be read from the preamble ("Cost per message ..." or "Cost per conversation ..."); pass it explicitly',
    );
  const effectiveFrom = options.effectiveFrom ?? readEffective(title);
  if (!effectiveFrom)
    throw new InputError('effectiveFrom', options.effectiveFrom, 'is required (YYYY-MM-DD) when the preamble names no effective date');
  assertDay(effectiveFrom, 'effectiveFrom');

  let currency = options.currency ? toCurrency(options.currency) : null;
  let currencyLine = 0;
  const rates = new Map<string, MarketRates>();
  const marketLines = new Map<string, number>();
  for (const row of records.slice(headerAt + 1)) {
    const market = (row.cells[columns.get('market') as number] ?? '').trim();
    if (market === '') throw new InputError(cellField(source, row.line, 'Market'), market, 'is empty');
    if (rates.has(market)) {
      throw new InputError(cellField(source, row.line, 'Market'), market, `repeats line ${marketLines.get(market)}`);
    }
    const ci = columns.get('currency');
    if (ci !== undefined) {
      const field = cellField(source, row.line, header.cells[ci] as string);
      const rowCurrency = toCurrency(row.cells[ci] ?? '', field);
      if (currency && rowCurrency !== currency) {
        const where = currencyLine ? `line ${currencyLine}` : 'the expected currency';
        throw new InputError(field, row.cells[ci], `differs from ${currency} (${where}); a rate card has one currency`);
      }
      if (!currency) currencyLine = row.line;
      currency = rowCurrency;
    }
    const marketRates: MarketRates = {};
    for (const column of RATE_COLUMNS) {
      const i = columns.get(column);
      if (i === undefined) continue;
      const rate = readRateCell(row.cells[i], cellField(source, row.line, header.cells[i] as string));
      if (rate !== null) marketRates[column] = rate;
    }
    rates.set(market, marketRates);
    marketLines.set(market, row.line);
  }
  if (!currency) throw new InputError('currency', undefined, `is required: ${source} has no Currency column`);
  if (rates.size === 0) throw new InputError(source, title, 'has a header but no market rows');
  const titled = /\bin\s+([A-Z]{3})\b/.exec(title)?.[1];
  if (titled && titled !== currency) throw new InputError(`${source} preamble`, title, `names ${titled} but the rows are in ${currency}`);
  const card: RateCard = { kind: 'rate_card', currency, effectiveFrom, unit, rates };
  if (title) card.title = title;
  return card;
}

/** The rate of one market and column, or null when the card has none. */
export function rateOf(card: RateCard, market: string, column: RateColumn): Micros | null {
  return card.rates.get(market)?.[column] ?? null;
}
