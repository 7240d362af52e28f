import { InputError, parseMicros, parseMonth, type Micros } from '@core';

/** An invoice that passed every check, before it is stored. */
export interface InvoiceInput {
  wabaId: string;
  month: string;
  currency: string;
  amountMicros: Micros;
}

export interface InvoiceChecks {
  /** When given (the connector's configured WABAs), an invoice for any other WABA is refused. */
  knownWabas?: ReadonlySet<string>;
}

const WABA_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
// Intl knows the ISO 4217 codes; three capital letters alone would let "EUO" through.
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/**
 * Checks one invoice's four values, each under its own field name (`fields.month` etc.), and
 * returns it with the amount in exact micro-units. Throws the first problem as an InputError.
 */
export function checkInvoice(
  raw: { waba: unknown; month: unknown; currency: unknown; amount: unknown },
  fields: { waba: string; month: string; currency: string; amount: string },
  checks: InvoiceChecks = {},
): InvoiceInput {
  const waba = typeof raw.waba === 'string' ? raw.waba.trim() : raw.waba;
  if (typeof waba !== 'string' || !WABA_RE.test(waba))
    throw new InputError(fields.waba, raw.waba, 'is not a WABA id (1-64 letters, digits, "_", "-", ".", ":")');
  if (checks.knownWabas && !checks.knownWabas.has(waba))
    throw new InputError(fields.waba, raw.waba, `is not a configured WABA (${[...checks.knownWabas].join(', ') || 'none configured'})`);
  const month = typeof raw.month === 'string' ? raw.month.trim() : '';
  if (!/^\d{4}-\d{2}$/.test(month)) throw new InputError(fields.month, raw.month, 'is not a month in YYYY-MM form');
  parseMonth(month, fields.month);
  const currency = typeof raw.currency === 'string' ? raw.currency.trim() : '';
  if (!/^[A-Z]{3}$/.test(currency) || !ISO_4217.has(currency))
    throw new InputError(fields.currency, raw.currency, 'is not an ISO 4217 currency code in capitals, such as "EUR"');
  if (typeof raw.amount !== 'string' || raw.amount.trim() === '')
    throw new InputError(fields.amount, raw.amount, 'must be a decimal amount such as "1234.56"');
  const amountMicros = parseMicros(raw.amount, fields.amount);
  if (amountMicros < 0n) throw new InputError(fields.amount, raw.amount, 'must not be negative');
  return { wabaId: waba, month, currency, amountMicros };
}
