import { InputError } from '../errors';
import { rateColumnOf, toCategory, TIERED_COLUMNS, type RateColumn } from '../model/category';
import { toCurrency, type Micros } from '../model/money';
import { assertDay } from '../time/calendar';
import { cellField, mapHeader, readCountCell, readCsvRecords, readRateCell } from './csv-table';

/**
 * Volume tiers per market and rate column, counted per business portfolio per WABA-local month.
 * Bounds are inclusive unit numbers as Meta writes them in pricing analytics ("0:750000",
 * "750001:MAX"): the n-th charged unit of the month (n from 1) is in the tier with lower <= n <= upper.
 */
export interface Tier {
  lower: number;
  /** null = MAX (no upper bound). */
  upper: number | null;
  rateMicros: Micros;
}

export interface TierTable {
  kind: 'tier_table';
  currency: string;
  effectiveFrom: string;
  /** market -> column -> tiers ordered by lower bound, contiguous, the last unbounded. */
  tiers: ReadonlyMap<string, Partial<Record<RateColumn, readonly Tier[]>>>;
}

export interface TierTableOptions {
  effectiveFrom: string;
  currency: string;
  source?: string;
}

const HEADER: Readonly<Record<string, string>> = {
  market: 'market',
  category: 'category',
  currency: 'currency',
  lower: 'lower',
  upper: 'upper',
  rate: 'rate',
};

/** Checks that tiers start at 0 or 1, touch without gaps or overlaps, and end unbounded. */
export function assertTierLadder(tiers: readonly { lower: number; upper: number | null }[], field: string): void {
  tiers.forEach((tier, i) => {
    const prev = tiers[i - 1];
    if (!prev && tier.lower > 1) throw new InputError(field, tier.lower, 'first tier must start at 0 or 1');
    if (prev && tier.lower !== (prev.upper ?? Number.NaN) + 1) {
      throw new InputError(field, `${tier.lower}`, `must start right after the previous tier's upper bound ${prev.upper ?? 'MAX'}`);
    }
    if (tier.upper !== null && tier.upper < tier.lower) throw new InputError(field, `${tier.lower}:${tier.upper}`, 'has upper < lower');
  });
  const last = tiers[tiers.length - 1];
  if (last && last.upper !== null)
    throw new InputError(field, `${last.lower}:${last.upper}`, 'the last tier must have no upper bound (empty or MAX)');
}

/** Parses our tier CSV: `Market,Category,Lower,Upper,Rate` (optional Currency). Meta's own tier CSV layout is unverified. */
export function parseTierCsv(text: string, options: TierTableOptions): TierTable {
  const source = options.source ?? 'tiers.csv';
  const currency = toCurrency(options.currency);
  const effectiveFrom = assertDay(options.effectiveFrom, 'effectiveFrom');
  const [header, ...rows] = readCsvRecords(text, source);
  if (!header) throw new InputError(source, text, 'is empty');
  const columns = mapHeader(header, HEADER, ['market', 'category', 'lower', 'upper', 'rate'], source);
  const col = (key: string) => columns.get(key) as number;
  const name = (key: string) => header.cells[col(key)] as string;

  const byMarket = new Map<string, Partial<Record<RateColumn, Tier[]>>>();
  for (const row of rows) {
    const market = (row.cells[col('market')] ?? '').trim();
    if (market === '') throw new InputError(cellField(source, row.line, name('market')), market, 'is empty');
    const categoryField = cellField(source, row.line, name('category'));
    const column = rateColumnOf(toCategory(row.cells[col('category')] ?? '', categoryField));
    if (column === null || !TIERED_COLUMNS.includes(column)) {
      throw new InputError(
        categoryField,
        row.cells[col('category')],
        `has no volume tiers; tiered categories are ${TIERED_COLUMNS.join(', ')}`,
      );
    }
    const ci = columns.get('currency');
    if (ci !== undefined && toCurrency(row.cells[ci] ?? '', cellField(source, row.line, name('currency'))) !== currency) {
      throw new InputError(cellField(source, row.line, name('currency')), row.cells[ci], `differs from ${currency}`);
    }
    const lower = readCountCell(row.cells[col('lower')], cellField(source, row.line, name('lower')), false) as number;
    const upper = readCountCell(row.cells[col('upper')], cellField(source, row.line, name('upper')), true);
    const rateField = cellField(source, row.line, name('rate'));
    const rate = readRateCell(row.cells[col('rate')], rateField);
    if (rate === null) throw new InputError(rateField, row.cells[col('rate')], 'is required for a tier');
    const entry = byMarket.get(market) ?? {};
    (entry[column] ??= []).push({ lower, upper, rateMicros: rate });
    byMarket.set(market, entry);
  }
  for (const [market, columnsOf] of byMarket) {
    for (const [column, tiers] of Object.entries(columnsOf) as [RateColumn, Tier[]][]) {
      tiers.sort((a, b) => a.lower - b.lower);
      assertTierLadder(tiers, `${source} tiers of ${market} / ${column}`);
    }
  }
  if (byMarket.size === 0) throw new InputError(source, text.slice(0, 80), 'has no tier rows');
  return { kind: 'tier_table', currency, effectiveFrom, tiers: byMarket };
}

/** The tiers of a market and column, or null when the table has none. */
export function tiersOf(table: TierTable, market: string, column: RateColumn): readonly Tier[] | null {
  return table.tiers.get(market)?.[column] ?? null;
}
