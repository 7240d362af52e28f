/**
 * Dated changes to Meta's market table, each effective at 00:00 WABA-local on `effectiveFrom`
 * (Meta's pricing page, "Rate cards and volume tiers" and the pricing timeline). MARKETS_2026_07 is
 * the state between 2026-07-01 and 2026-09-30; any other day is derived by applying these.
 */
export interface MarketChange {
  effectiveFrom: string;
  iso2: string;
  country: string;
  fromMarket: string;
  toMarket: string;
}

function standalone(effectiveFrom: string, iso2: string, country: string, fromMarket: string): MarketChange {
  return { effectiveFrom, iso2, country, fromMarket, toMarket: country };
}

export const MARKET_CHANGES: readonly MarketChange[] = [
  { effectiveFrom: '2025-10-01', iso2: 'ZW', country: 'Zimbabwe', fromMarket: 'Other', toMarket: 'Rest of Africa' },
  standalone('2026-07-01', 'HK', 'Hong Kong', 'Rest of Asia Pacific'),
  standalone('2026-07-01', 'HU', 'Hungary', 'Rest of Central and Eastern Europe'),
  standalone('2026-07-01', 'PL', 'Poland', 'Rest of Central and Eastern Europe'),
  standalone('2026-07-01', 'QA', 'Qatar', 'Rest of Middle East'),
  standalone('2026-07-01', 'RO', 'Romania', 'Rest of Central and Eastern Europe'),
  standalone('2026-07-01', 'SG', 'Singapore', 'Rest of Asia Pacific'),
  standalone('2026-10-01', 'BD', 'Bangladesh', 'Rest of Asia Pacific'),
  standalone('2026-10-01', 'IQ', 'Iraq', 'Rest of Middle East'),
  standalone('2026-10-01', 'NP', 'Nepal', 'Rest of Asia Pacific'),
  standalone('2026-10-01', 'LK', 'Sri Lanka', 'Rest of Asia Pacific'),
  standalone('2026-10-01', 'KZ', 'Kazakhstan', 'Other'),
  standalone('2026-10-01', 'KW', 'Kuwait', 'Rest of Middle East'),
  standalone('2026-10-01', 'MA', 'Morocco', 'Rest of Africa'),
  standalone('2026-10-01', 'OM', 'Oman', 'Rest of Middle East'),
  standalone('2026-10-01', 'UA', 'Ukraine', 'Rest of Central and Eastern Europe'),
];
