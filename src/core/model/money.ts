import { InputError } from '../errors';

/**
 * Amounts are integer micro-units (1e-6 of the currency's major unit) held in bigint. Meta's rates
 * have at most 4-6 decimals and a month of 10M messages in IDR exceeds 2^53 micro-units, so neither
 * floats nor safe integers can be trusted to sum to the cent.
 */
export type Micros = bigint;

export const MICROS_PER_UNIT = 1_000_000n;

/** ISO 4217 minor-unit digits for the currencies Meta bills in; anything else falls back to 2. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  USD: 2,
  AED: 2,
  ARS: 2,
  AUD: 2,
  BRL: 2,
  CLP: 0,
  COP: 2,
  EUR: 2,
  GBP: 2,
  IDR: 2,
  INR: 2,
  MXN: 2,
  MYR: 2,
  PEN: 2,
  SAR: 2,
  SGD: 2,
  JPY: 0,
};

export function currencyDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

const CURRENCY_RE = /^[A-Z]{3}$/;

export function toCurrency(raw: string, field = 'currency'): string {
  const code = raw.trim().toUpperCase();
  if (!CURRENCY_RE.test(code)) throw new InputError(field, raw, 'is not an ISO 4217 currency code (three letters)');
  return code;
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parses "0.0085", "1,234.5" or "12" exactly. More than 6 decimals is rejected rather than rounded. */
export function parseMicros(raw: string, field: string): Micros {
  const text = raw.trim().replace(/,/g, '');
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new InputError(field, raw, 'is not a decimal number');
  const frac = m[3] ?? '';
  const trimmed = frac.replace(/0+$/, '');
  if (trimmed.length > 6) throw new InputError(field, raw, 'has more than 6 decimal places');
  const micros = BigInt(m[2] as string) * MICROS_PER_UNIT + BigInt(trimmed.padEnd(6, '0') || '0');
  return m[1] === '-' ? -micros : micros;
}

/** Divides with half-away-from-zero rounding; the one rounding rule used everywhere money is rounded. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const q = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -q : q;
}

/** Rounds micro-units to the currency's minor unit (e.g. cents), still in micro-units. */
export function roundToMinor(micros: Micros, currency: string): Micros {
  const step = 10n ** BigInt(6 - currencyDigits(currency));
  return divRound(micros, step) * step;
}

/** Decimal string with a fixed number of digits ("12.35"), rounded half away from zero. */
export function formatMicros(micros: Micros, digits = 6): string {
  if (digits < 0 || digits > 6) throw new RangeError('digits must be 0..6');
  const step = 10n ** BigInt(6 - digits);
  const scaled = divRound(micros, step);
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const frac = digits > 0 ? `.${abs.slice(abs.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** The amount as a decimal string in the currency's minor units ("12.35" USD, "1200" CLP). */
export function formatMoney(micros: Micros, currency: string): string {
  return formatMicros(micros, currencyDigits(currency));
}

/** For display only (frames, metrics): the number of major units. Never sum the result. */
export function microsToNumber(micros: Micros): number {
  return Number(micros) / 1e6;
}

export function sumMicros(values: Iterable<Micros>): Micros {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
