/**
 * A WABA's billing currency over time (Meta's currency migration moves WABAs to local-currency
 * billing on a given day). Same shape and semantics as core's `currencyOn`, which replaces this
 * file once it is on main.
 */

/** From `from` (WABA-local day, inclusive) the WABA is billed in `code` until the next entry. */
export interface CurrencyPeriod {
  from: string;
  code: string;
}

/** One code for all time, or dated periods sorted by day. */
export type CurrencySchedule = string | readonly CurrencyPeriod[];

const periodsOf = (schedule: CurrencySchedule): readonly CurrencyPeriod[] =>
  typeof schedule === 'string' ? [{ from: '', code: schedule }] : schedule;

/** The currency in force on a WABA-local day, or null before the first dated entry. */
export function currencyOn(schedule: CurrencySchedule, day: string): string | null {
  let code: string | null = null;
  for (const p of periodsOf(schedule)) if (p.from <= day) code = p.code;
  return code;
}

/** Every currency a schedule uses, in order of first use. */
export function currenciesOf(schedule: CurrencySchedule): string[] {
  return [...new Set(periodsOf(schedule).map((p) => p.code))];
}
