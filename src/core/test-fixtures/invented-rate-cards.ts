/**
 * Rate cards in Meta's published Rates CSV layout (preamble line, a header cell with a line break,
 * `n/a` cells, CRLF line ends as the downloads have) with INVENTED rates: the real figures are not
 * reproduced here. Used by the must-show pricing test and the parser tests.
 */

const HEADER = 'Market,Currency,Marketing,Utility,Authentication,"Authentication-\r\nInternational",Service';

function card(preamble: string, rows: string[]): string {
  return [preamble, HEADER, ...rows].join('\r\n') + '\r\n';
}

/** USD per message, in force from 2026-01-01 (the date is given on import, as Meta's PMP preamble has none). */
export const USD_RATES_2026_01 = card('Cost per message in USD', [
  'Argentina,USD,0.0610,0.0260,0.0260,n/a,n/a',
  'Brazil,USD,0.0625,0.0068,0.0068,n/a,n/a',
  'India,USD,0.0118,0.0014,0.0014,0.0280,n/a',
  'North America,USD,0.0250,0.0034,0.0034,n/a,n/a',
  'Rest of Africa,USD,0.0225,0.0040,0.0040,0.0300,n/a',
  'Other,USD,0.0600,0.0077,0.0077,0.0550,n/a',
]);

/** The next quarter: India marketing and Brazil utility/authentication change on 2026-04-01. */
export const USD_RATES_2026_04 = card('Cost per message in USD', [
  'Argentina,USD,0.0610,0.0260,0.0260,n/a,n/a',
  'Brazil,USD,0.0625,0.0072,0.0072,n/a,n/a',
  'India,USD,0.0131,0.0014,0.0014,0.0280,n/a',
  'North America,USD,0.0250,0.0034,0.0034,n/a,n/a',
  'Rest of Africa,USD,0.0225,0.0040,0.0040,0.0300,n/a',
  'Other,USD,0.0600,0.0077,0.0077,0.0550,n/a',
]);

/** A CBP-era card with the dated preamble Meta used for conversation rates. */
export const USD_CONVERSATION_RATES_2023_06 = card('Cost per conversation in USD, effective June 1, 2023', [
  'Brazil,USD,0.0625,0.0080,0.0315,n/a,0.0300',
  'India,USD,0.0099,0.0042,0.0042,0.0280,0.0040',
  'Other,USD,0.0604,0.0338,0.0304,n/a,0.0145',
]);

/** A BRL card (PMP) as a Brazilian WABA billed in BRL would download it. */
export const BRL_RATES_2026_07 = card('Cost per message in BRL', [
  'Brazil,BRL,0.3125,0.0400,0.0400,n/a,n/a',
  'India,BRL,0.0600,0.0070,0.0070,0.1400,n/a',
  'Other,BRL,0.3000,0.0385,0.0385,0.2750,n/a',
]);

/** Our tier CSV (Market,Category,Lower,Upper,Rate): small invented thresholds so a hand-built month crosses them. */
export const USD_TIERS_2026_01 = [
  'Market,Category,Lower,Upper,Rate',
  'India,utility,0,100,0.0014',
  'India,utility,101,200,0.0012',
  'India,utility,201,MAX,0.0010',
  'India,authentication,0,100,0.0014',
  'India,authentication,101,MAX,0.0011',
  'Brazil,utility,0,50,0.0068',
  'Brazil,utility,51,MAX,0.0060',
].join('\n');

/** Brazil's tier rates follow its new utility rate on 2026-04-01. */
export const USD_TIERS_2026_04 = [
  'Market,Category,Lower,Upper,Rate',
  'India,utility,0,100,0.0014',
  'India,utility,101,200,0.0012',
  'India,utility,201,MAX,0.0010',
  'India,authentication,0,100,0.0014',
  'India,authentication,101,MAX,0.0011',
  'Brazil,utility,0,50,0.0072',
  'Brazil,utility,51,MAX,0.0064',
].join('\n');

/** Our call-rate CSV with invented per-minute rates and the documented tier shape (0-50,000 / 50,001-250,000 / ...). */
export const USD_CALL_RATES_2025_08 = [
  'Market,Currency,Lower minutes,Upper minutes,Rate per minute',
  'India,USD,0,"50,000",0.0120',
  'India,USD,"50,001","250,000",0.0100',
  'India,USD,"250,001",MAX,0.0080',
  'Brazil,USD,0,,0.0300',
].join('\n');
