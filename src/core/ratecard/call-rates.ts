import { InputError } from '../errors';
import { toCurrency, type Micros } from '../model/money';
import { assertDay } from '../time/calendar';
import { cellField, mapHeader, readCountCell, readCsvRecords, readRateCell } from './csv-table';
import { assertTierLadder } from './tiers';

/**
 * Business-initiated call rates per callee market, per minute, with monthly minute tiers counted
 * per business portfolio. Bounds are inclusive minute numbers ("0-50,000", "50,001-250,000").
 */
export interface CallTier {
  lowerMinutes: number;
  upperMinutes: number | null;
  ratePerMinuteMicros: Micros;
}

export interface CallRateCard {
  kind: 'call_rates';
  currency: string;
  effectiveFrom: string;
  tiers: ReadonlyMap<string, readonly CallTier[]>;
}

export interface CallRateOptions {
  effectiveFrom: string;
  currency: string;
  source?: string;
}

const HEADER: Readonly<Record<string, string>> = {
  market: 'market',
  currency: 'currency',
  lowerminutes: 'lower',
  lower: 'lower',
  upperminutes: 'upper',
  upper: 'upper',
  rateperminute: 'rate',
  rate: 'rate',
};

/**
 * Parses our call-rate CSV `Market,Currency,Lower minutes,Upper minutes,Rate per minute` (Currency
 * optional; Upper empty or MAX for the last tier). Meta's call rate CSV columns are UNVERIFIED.
 */
export function parseCallRateCsv(text: string, options: CallRateOptions): CallRateCard {
  const source = options.source ?? 'call-rates.csv';
  const currency = toCurrency(options.currency);
  const effectiveFrom = assertDay(options.effectiveFrom, 'effectiveFrom');
  const [header, ...rows] = readCsvRecords(text, source);
  if (!header) throw new InputError(source, text, 'is empty');
  const columns = mapHeader(header, HEADER, ['market', 'lower', 'upper', 'rate'], source);
  const col = (key: string) => columns.get(key) as number;
  const name = (key: string) => header.cells[col(key)] as string;

  const byMarket = new Map<string, CallTier[]>();
  for (const row of rows) {
    const field = (key: string) => cellField(source, row.line, name(key));
    const market = (row.cells[col('market')] ?? '').trim();
    if (market === '') throw new InputError(field('market'), market, 'is empty');
    const ci = columns.get('currency');
    if (ci !== undefined && toCurrency(row.cells[ci] ?? '', field('currency')) !== currency) {
      throw new InputError(field('currency'), row.cells[ci], `differs from ${currency}`);
    }
    const lowerMinutes = readCountCell(row.cells[col('lower')], field('lower'), false) as number;
    const upperMinutes = readCountCell(row.cells[col('upper')], field('upper'), true);
    const rate = readRateCell(row.cells[col('rate')], field('rate'));
    if (rate === null) throw new InputError(field('rate'), row.cells[col('rate')], 'is required');
    const list = byMarket.get(market) ?? [];
    list.push({ lowerMinutes, upperMinutes, ratePerMinuteMicros: rate });
    byMarket.set(market, list);
  }
  for (const [market, tiers] of byMarket) {
    tiers.sort((a, b) => a.lowerMinutes - b.lowerMinutes);
    assertTierLadder(
      tiers.map((t) => ({ lower: t.lowerMinutes, upper: t.upperMinutes })),
      `${source} tiers of ${market}`,
    );
  }
  if (byMarket.size === 0) throw new InputError(source, text.slice(0, 80), 'has no rate rows');
  return { kind: 'call_rates', currency, effectiveFrom, tiers: byMarket };
}
