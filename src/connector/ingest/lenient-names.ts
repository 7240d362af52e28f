import { CATEGORIES, PRICING_MODELS, PRICING_TYPES } from '@core';

/*
 * Lenient reading of Meta's enum-like values. Meta adds values between API versions (e.g. the
 * "Meta Business Agent" category, webhook value not yet published): refusing the envelope would make
 * Meta retry and then drop every other status in it, so unknown values are kept, normalised, and
 * flagged. toCategory/toPricingType stay strict for callers that want an error.
 */

/** Lower snake case: "Meta Business Agent", "META-BUSINESS-AGENT" -> "meta_business_agent"; blank -> "unknown". */
export function snakeName(raw: string): string {
  const norm = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return norm === '' ? 'unknown' : norm;
}

const known = (list: readonly string[], v: string) => list.includes(v);

export function lenientCategory(raw: string): { value: string; known: boolean } {
  const value = snakeName(raw);
  return { value, known: known(CATEGORIES, value) };
}

export function lenientPricingType(raw: string): { value: string; known: boolean } {
  const value = snakeName(raw);
  return { value, known: known(PRICING_TYPES, value) };
}

export function lenientPricingModel(raw: string): { value: string; known: boolean } {
  const value = snakeName(raw).toUpperCase();
  return { value, known: known(PRICING_MODELS, value) };
}
