import { InputError } from '../errors';
import { dayNumberOf } from '../time/calendar';
import { MARKET_CHANGES } from './market-changes';
import { MARKETS_2026_07 } from './market-table';
import { CANADA_AREA_CODES, OTHER_NANP } from './nanp';

/** Where a recipient number is priced. iso2/country/callingCode are null when the number is unknown. */
export interface MarketInfo {
  iso2: string | null;
  country: string | null;
  market: string;
  callingCode: string | null;
}

export const OTHER_MARKET = 'Other';
const UNKNOWN: MarketInfo = Object.freeze({ iso2: null, country: null, market: OTHER_MARKET, callingCode: null });

interface Country {
  iso2: string;
  country: string;
  callingCode: string;
  baseMarket: string;
}

const countries = new Map<string, Country>();
const prefixes = new Map<string, string>(); // calling code (+ area code) -> iso2

function addCountry(c: Country, subPrefixes: readonly string[]): void {
  countries.set(c.iso2, c);
  if (subPrefixes.length === 0) prefixes.set(c.callingCode, c.iso2);
  for (const sub of subPrefixes) prefixes.set(c.callingCode + sub, c.iso2);
}

for (const [market, country, callingCode, areaCodes, iso2] of MARKETS_2026_07) {
  const subs = iso2 === 'CA' ? CANADA_AREA_CODES : areaCodes.split(' ').filter(Boolean);
  addCountry({ iso2, country, callingCode, baseMarket: market }, subs);
}
// Kazakhstan shares +7 with Russia (its numbers are +7 6xx and +7 7xx) and is not in the 2026-07 table.
addCountry({ iso2: 'KZ', country: 'Kazakhstan', callingCode: '7', baseMarket: OTHER_MARKET }, ['6', '7']);
for (const [area, iso2, country] of OTHER_NANP) {
  addCountry({ iso2, country, callingCode: '1', baseMarket: 'North America' }, [area]);
}

/** Era i covers days from BOUNDARIES[i-1] (inclusive) to BOUNDARIES[i] (exclusive). */
const BOUNDARIES = [...new Set(MARKET_CHANGES.map((c) => c.effectiveFrom))].sort();
const eras: Map<string, MarketInfo>[] = BOUNDARIES.map(() => new Map());
eras.push(new Map());

function marketOnBoundary(c: Country, eraStart: string | undefined): string {
  const changes = MARKET_CHANGES.filter((ch) => ch.iso2 === c.iso2).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  if (changes.length === 0) return c.baseMarket;
  let market = (changes[0] as (typeof changes)[number]).fromMarket;
  for (const ch of changes) if (eraStart !== undefined && ch.effectiveFrom <= eraStart) market = ch.toMarket;
  return market;
}

eras.forEach((era, i) => {
  for (const c of countries.values()) {
    era.set(
      c.iso2,
      Object.freeze({ iso2: c.iso2, country: c.country, market: marketOnBoundary(c, BOUNDARIES[i - 1]), callingCode: c.callingCode }),
    );
  }
});

let lastDay = '';
let lastEra: Map<string, MarketInfo> | null = null;

function eraOf(day: string, field: string): Map<string, MarketInfo> {
  if (day === lastDay && lastEra) return lastEra; // callers usually price many numbers of one day in a row
  dayNumberOf(day, field);
  let i = 0;
  while (i < BOUNDARIES.length && day >= (BOUNDARIES[i] as string)) i += 1;
  lastDay = day;
  lastEra = eras[i] as Map<string, MarketInfo>;
  return lastEra;
}

const DIGITS_RE = /^\d+$/;
const FORMATTED_RE = /^\+?[\d\s().-]+$/;

/** Digits of an international number; accepts "+", "00", spaces, dashes, dots and parentheses. */
export function normalizePhone(phone: string, field = 'phone'): string {
  let digits: string;
  if (typeof phone === 'string' && DIGITS_RE.test(phone)) digits = phone;
  else if (typeof phone === 'string' && FORMATTED_RE.test(phone.trim())) digits = phone.replace(/\D/g, '');
  else throw new InputError(field, phone, 'is not a phone number (digits with optional +, spaces or dashes)');
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits.length < 5 || digits.length > 15) throw new InputError(field, phone, 'must have 5 to 15 digits including the country code');
  return digits;
}

/** The pricing market of a recipient number on WABA-local day `day` (longest calling-code prefix). */
export function marketOf(phone: string, day: string, field = 'phone'): MarketInfo {
  const digits = normalizePhone(phone, field);
  const era = eraOf(day, 'day');
  for (let len = 4; len >= 1; len -= 1) {
    const iso2 = prefixes.get(digits.slice(0, len));
    if (iso2 !== undefined) return era.get(iso2) as MarketInfo;
  }
  return UNKNOWN;
}

/** The pricing market of an ISO country code (as Meta's analytics report it) on `day`. */
export function marketOfCountry(iso2: string, day: string, field = 'country'): MarketInfo {
  if (typeof iso2 !== 'string' || !/^[A-Za-z]{2}$/.test(iso2))
    throw new InputError(field, iso2, 'is not an ISO 3166-1 alpha-2 country code');
  const code = iso2.toUpperCase();
  return eraOf(day, 'day').get(code) ?? { iso2: code, country: null, market: OTHER_MARKET, callingCode: null };
}

/** Every known country with the market it is priced in on `day`, ordered by market then country. */
export function marketsInForce(day: string): MarketInfo[] {
  return [...eraOf(day, 'day').values()].sort(
    (a, b) => a.market.localeCompare(b.market) || (a.country as string).localeCompare(b.country as string),
  );
}

/** The distinct market names in force on `day`, including "Other". */
export function marketNamesInForce(day: string): string[] {
  const names = new Set(marketsInForce(day).map((m) => m.market));
  names.add(OTHER_MARKET);
  return [...names].sort();
}

export { MARKET_CHANGES };
export type { MarketChange } from './market-changes';
