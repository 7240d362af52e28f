import { InputError } from '../errors';
import { toCurrency } from '../model/money';
import { assertDay } from '../time/calendar';

/** From `from` (WABA-local day, inclusive) the WABA is billed in `code` until the next entry. */
export interface CurrencyPeriod {
  from: string;
  code: string;
}

/** A WABA's billing currency as configured: one code for all time, or dated periods (Meta's currency migration). */
export type CurrencySchedule = string | readonly CurrencyPeriod[];

/**
 * Validates a schedule and returns it as periods: a plain code is one period from the beginning of
 * time (from ''), a list must be sorted by day with no two entries on one day and ISO 4217 codes.
 * The result is itself a valid schedule (currencyOn and this function accept it back).
 */
export function parseCurrencySchedule(value: unknown, field = 'currency'): CurrencyPeriod[] {
  if (typeof value === 'string') return [{ from: '', code: toCurrency(value, field) }];
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError(field, value, 'must be a currency code or a non-empty list of { from: YYYY-MM-DD, code }');
  }
  const out: CurrencyPeriod[] = [];
  value.forEach((entry: unknown, i) => {
    const at = `${field}[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new InputError(at, entry, 'must be { from: YYYY-MM-DD, code }');
    const { from, code } = entry as { from?: unknown; code?: unknown };
    // YAML reads an unquoted 2026-12-01 as a date; accept it as that calendar day.
    const day = from instanceof Date && !Number.isNaN(from.getTime()) ? from.toISOString().slice(0, 10) : from;
    if (typeof day !== 'string') throw new InputError(`${at}.from`, from, 'must be a day in YYYY-MM-DD form');
    // '' = the beginning of time, as this function returns a plain code; only first, so its output parses again.
    if (!(day === '' && i === 0)) assertDay(day, `${at}.from`);
    if (typeof code !== 'string') throw new InputError(`${at}.code`, code, 'must be an ISO 4217 currency code');
    const prev = out[out.length - 1];
    if (prev && prev.from === day) throw new InputError(`${at}.from`, day, `repeats the day of ${field}[${i - 1}]`);
    if (prev && prev.from > day) throw new InputError(`${at}.from`, day, `must be after ${prev.from} (entries sorted by day)`);
    out.push({ from: day, code: toCurrency(code, `${at}.code`) });
  });
  return out;
}

/**
 * The billing currency in force on a WABA-local day, or null when the day is before the first
 * entry of a dated schedule (no currency is known for it).
 */
export function currencyOn(schedule: CurrencySchedule, day: string, field = 'currency'): string | null {
  assertDay(day, 'day');
  const periods = parseCurrencySchedule(schedule, field);
  let code: string | null = null;
  for (const p of periods) if (p.from <= day) code = p.code;
  return code;
}

/** Every currency a schedule uses, in order of first use (a month of a switch shows both). */
export function currenciesOf(schedule: CurrencySchedule, field = 'currency'): string[] {
  return [...new Set(parseCurrencySchedule(schedule, field).map((p) => p.code))];
}
