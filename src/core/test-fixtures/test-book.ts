import { addToPriceBook, emptyPriceBook, type PriceBook } from '../ratecard/price-book';
import { parseCallRateCsv } from '../ratecard/call-rates';
import { parseRateCardCsv } from '../ratecard/rate-card';
import { parseTierCsv } from '../ratecard/tiers';
import type { UsageRow } from '../model/usage';
import {
  USD_CALL_RATES_2025_08,
  USD_CONVERSATION_RATES_2023_06,
  USD_RATES_2026_01,
  USD_RATES_2026_04,
  USD_TIERS_2026_01,
  USD_TIERS_2026_04,
} from './invented-rate-cards';

/** Test helper (not exported from core): the invented USD book used by the pricing tests. */
export function buildTestBook(): PriceBook {
  let book = emptyPriceBook();
  book = addToPriceBook(book, parseRateCardCsv(USD_CONVERSATION_RATES_2023_06));
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_01, { effectiveFrom: '2026-01-01' }));
  book = addToPriceBook(book, parseRateCardCsv(USD_RATES_2026_04, { effectiveFrom: '2026-04-01' }));
  book = addToPriceBook(book, parseTierCsv(USD_TIERS_2026_01, { effectiveFrom: '2026-01-01', currency: 'USD' }));
  book = addToPriceBook(book, parseTierCsv(USD_TIERS_2026_04, { effectiveFrom: '2026-04-01', currency: 'USD' }));
  book = addToPriceBook(book, parseCallRateCsv(USD_CALL_RATES_2025_08, { effectiveFrom: '2025-08-01', currency: 'USD' }));
  return book;
}

export function usageRow(partial: Partial<UsageRow> & Pick<UsageRow, 'day' | 'units'>): UsageRow {
  return {
    wabaId: 'w1',
    portfolioId: 'p1',
    currency: 'USD',
    market: 'India',
    category: 'marketing',
    pricingType: 'regular',
    pricingModel: 'PMP',
    ...partial,
  };
}
