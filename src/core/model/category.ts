import { InputError } from '../errors';

/**
 * The pricing categories Meta reports. `authentication_international` is our single spelling:
 * Meta writes it with a hyphen in one table and an underscore in another (see toCategory).
 */
export const CATEGORIES = [
  'marketing',
  'marketing_lite',
  'utility',
  'authentication',
  'authentication_international',
  'service',
  'referral_conversion',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** regular = charged; the free_* kinds are Meta's verdicts; free_tier is the CBP-era 1,000 free service conversations. */
export const PRICING_TYPES = ['regular', 'free_customer_service', 'free_entry_point', 'free_tier'] as const;
export type PricingType = (typeof PRICING_TYPES)[number];

/** CBP = per-conversation (until 2025-06-30 WABA-local), PMP = per-message (from 2025-07-01). */
export const PRICING_MODELS = ['CBP', 'PMP'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];

export const DIRECTIONS = ['business_initiated', 'user_initiated'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** The columns of a rate card. marketing_lite is priced at the marketing column; referral_conversion is always free. */
export const RATE_COLUMNS = ['marketing', 'utility', 'authentication', 'authentication_international', 'service'] as const;
export type RateColumn = (typeof RATE_COLUMNS)[number];

/** Categories that have volume tiers (utility and authentication, Meta pricing page). */
export const TIERED_COLUMNS: readonly RateColumn[] = ['utility', 'authentication', 'authentication_international'];

/** Accepts Meta's spellings from webhooks (lower case, hyphen or underscore) and analytics (upper case). */
export function toCategory(raw: string, field = 'category'): Category {
  const norm = raw.trim().toLowerCase().replace(/-/g, '_');
  if ((CATEGORIES as readonly string[]).includes(norm)) return norm as Category;
  throw new InputError(field, raw, `unknown pricing category; expected one of ${CATEGORIES.join(', ')}`);
}

export function toPricingType(raw: string, field = 'pricing_type'): PricingType {
  const norm = raw.trim().toLowerCase();
  if ((PRICING_TYPES as readonly string[]).includes(norm)) return norm as PricingType;
  throw new InputError(field, raw, `unknown pricing type; expected one of ${PRICING_TYPES.join(', ')}`);
}

export function rateColumnOf(category: Category): RateColumn | null {
  switch (category) {
    case 'marketing':
    case 'marketing_lite':
      return 'marketing';
    case 'referral_conversion':
      return null;
    default:
      return category;
  }
}
