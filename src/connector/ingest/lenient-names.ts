import { InputError, normaliseCategory, normalisePricingType, PRICING_MODELS } from '@core';

/*
 * Lenient reading of Meta's enum-like values. Meta adds values between API versions (e.g. the
 * "Meta Business Agent" category, webhook value not yet published): refusing the envelope would make
 * Meta retry and then drop every other status in it, so unknown values are kept, normalised (core's
 * normaliseCategory / normalisePricingType: lower snake case) and flagged.
 */

/** A blank value is kept too, as `unknown`: core's normalisers refuse it, a webhook must not. */
function orUnknown<T>(read: () => T, unknown: T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof InputError) return unknown;
    throw err;
  }
}

/** Lower snake case, as core spells categories and types: "Meta Business Agent" -> "meta_business_agent"; blank -> "unknown". */
export function snakeName(raw: string): string {
  return orUnknown(() => normaliseCategory(raw).category, 'unknown');
}

export function lenientCategory(raw: string): { value: string; known: boolean } {
  return orUnknown(
    () => {
      const c = normaliseCategory(raw);
      return { value: c.category, known: c.known };
    },
    { value: 'unknown', known: false },
  );
}

export function lenientPricingType(raw: string): { value: string; known: boolean } {
  return orUnknown(
    () => {
      const t = normalisePricingType(raw);
      return { value: t.pricingType, known: t.known };
    },
    { value: 'unknown', known: false },
  );
}

/** Pricing models are upper case (CBP, PMP); an unknown one is kept upper snake case. */
export function lenientPricingModel(raw: string): { value: string; known: boolean } {
  const value = snakeName(raw).toUpperCase();
  return { value, known: (PRICING_MODELS as readonly string[]).includes(value) };
}
