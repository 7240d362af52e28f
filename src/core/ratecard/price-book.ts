import { toCurrency } from '../model/money';
import { assertDay } from '../time/calendar';
import type { CallRateCard } from './call-rates';
import type { RateCard, RateUnit } from './rate-card';
import type { TierTable } from './tiers';

/**
 * Every price fact waspend knows, per currency and effective date. Books are immutable values:
 * addToPriceBook returns a new book, and lookups are indexed once per book object.
 */
export interface PriceBook {
  readonly rateCards: readonly RateCard[];
  readonly tierTables: readonly TierTable[];
  readonly callRateCards: readonly CallRateCard[];
}

export type PriceBookEntry = RateCard | TierTable | CallRateCard;

export function emptyPriceBook(): PriceBook {
  return { rateCards: [], tierTables: [], callRateCards: [] };
}

function byDate<T extends { currency: string; effectiveFrom: string }>(a: T, b: T): number {
  return a.currency.localeCompare(b.currency) || a.effectiveFrom.localeCompare(b.effectiveFrom);
}

function sameSlot(a: PriceBookEntry, b: PriceBookEntry): boolean {
  if (a.kind !== b.kind || a.currency !== b.currency || a.effectiveFrom !== b.effectiveFrom) return false;
  return a.kind !== 'rate_card' || a.unit === (b as RateCard).unit;
}

/** Adds an entry, replacing one of the same kind, currency, effective date (and unit for rate cards). */
export function addToPriceBook(book: PriceBook, entry: PriceBookEntry): PriceBook {
  assertDay(entry.effectiveFrom, 'effectiveFrom');
  toCurrency(entry.currency);
  const keep = <T extends PriceBookEntry>(list: readonly T[]) => list.filter((e) => !sameSlot(e, entry));
  switch (entry.kind) {
    case 'rate_card':
      return { ...book, rateCards: [...keep(book.rateCards), entry].sort(byDate) };
    case 'tier_table':
      return { ...book, tierTables: [...keep(book.tierTables), entry].sort(byDate) };
    case 'call_rates':
      return { ...book, callRateCards: [...keep(book.callRateCards), entry].sort(byDate) };
  }
}

interface BookIndex {
  rateCards: Map<string, RateCard[]>;
  tierTables: Map<string, TierTable[]>;
  callRateCards: Map<string, CallRateCard[]>;
}

const indexes = new WeakMap<PriceBook, BookIndex>();

function group<T extends { currency: string; effectiveFrom: string }>(list: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of [...list].sort(byDate)) {
    const bucket = out.get(item.currency) ?? [];
    bucket.push(item);
    out.set(item.currency, bucket);
  }
  return out;
}

function indexOf(book: PriceBook): BookIndex {
  let index = indexes.get(book);
  if (!index) {
    index = { rateCards: group(book.rateCards), tierTables: group(book.tierTables), callRateCards: group(book.callRateCards) };
    indexes.set(book, index);
  }
  return index;
}

function latest<T extends { effectiveFrom: string }>(list: readonly T[] | undefined, day: string, accept?: (item: T) => boolean): T | null {
  if (!list) return null;
  for (let i = list.length - 1; i >= 0; i -= 1) {
    const item = list[i] as T;
    if (item.effectiveFrom <= day && (!accept || accept(item))) return item;
  }
  return null;
}

/**
 * The rate card in force for `currency` on WABA-local `day`: the latest effectiveFrom <= day. With
 * `unit`, only cards of that unit count (a per-message card never prices CBP conversations).
 */
export function rateCardInForce(book: PriceBook, currency: string, day: string, unit?: RateUnit): RateCard | null {
  return latest(indexOf(book).rateCards.get(currency), day, unit ? (c) => c.unit === unit : undefined);
}

export function tierTableInForce(book: PriceBook, currency: string, day: string): TierTable | null {
  return latest(indexOf(book).tierTables.get(currency), day);
}

export function callRateCardInForce(book: PriceBook, currency: string, day: string): CallRateCard | null {
  return latest(indexOf(book).callRateCards.get(currency), day);
}

/** Currencies that have at least one rate card, call rate card or tier table. */
export function priceBookCurrencies(book: PriceBook): string[] {
  const all = [...book.rateCards, ...book.tierTables, ...book.callRateCards].map((e) => e.currency);
  return [...new Set(all)].sort();
}
