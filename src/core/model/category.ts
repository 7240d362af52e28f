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

/**
 * Columns that can have volume tiers (utility and authentication, Meta pricing page). Which ones are
 * tiered on a day, and which counter each moves, is in the rules table (rules/pricing-rules.ts).
 */
export const TIERED_COLUMNS: readonly RateColumn[] = ['utility', 'authentication', 'authentication_international'];

/** Accepts Meta's spellings from webhooks (lower case, hyphen or underscore) and analytics (upper case). */
export function toCategory(raw: string, field = 'category'): Category {
  const norm = raw.trim().toLowerCase().replace(/-/g, '_');
  if ((CATEGORIES as readonly string[]).includes(norm)) return norm as Category;
  throw new InputError(field, raw, `unknown pricing category; expected one of ${CATEGORIES.join(', ')}`);
}

/**
 * A category as kept through usage and pricing: one of ours, or a value Meta sent that we do not know
 * yet (lower snake case, see normaliseCategory). Unknown ones are counted and reported, never priced.
 */
export type UsageCategory = Category | (string & {});
/** A pricing type as kept: one of ours, or an unknown value Meta sent (lower snake case). */
export type UsagePricingType = PricingType | (string & {});

const knownCategories = new Set<string>(CATEGORIES);
const knownPricingTypes = new Set<string>(PRICING_TYPES);

/** Meta's spellings to one lower snake case token: "Meta Business Agent", "META_BUSINESS_AGENT" -> meta_business_agent. */
function snake(raw: unknown, field: string, what: string): string {
  const norm =
    typeof raw === 'string'
      ? raw
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_')
          .replace(/^_+|_+$/g, '')
      : '';
  if (norm === '') throw new InputError(field, raw, `must be a non-empty ${what}`);
  return norm;
}

/** Lenient: any non-empty value becomes a lower snake case category; `known` says whether pricing knows it. */
export function normaliseCategory(raw: string, field = 'category'): { category: UsageCategory; known: boolean } {
  const category = snake(raw, field, 'pricing category');
  return { category, known: knownCategories.has(category) };
}

/** Lenient: any non-empty value becomes a lower snake case pricing type; `known` says whether pricing knows it. */
export function normalisePricingType(raw: string, field = 'pricing_type'): { pricingType: UsagePricingType; known: boolean } {
  const pricingType = snake(raw, field, 'pricing type');
  return { pricingType, known: knownPricingTypes.has(pricingType) };
}

export function isKnownCategory(category: string): category is Category {
  return knownCategories.has(category);
}

export function isKnownPricingType(pricingType: string): pricingType is PricingType {
  return knownPricingTypes.has(pricingType);
}

export function toPricingType(raw: string, field = 'pricing_type'): PricingType {
  const norm = raw.trim().toLowerCase();
  if ((PRICING_TYPES as readonly string[]).includes(norm)) return norm as PricingType;
  throw new InputError(field, raw, `unknown pricing type; expected one of ${PRICING_TYPES.join(', ')}`);
}

/** The rate column a category is priced at; null for referral_conversion (always free) and unknown categories. */
export function rateColumnOf(category: UsageCategory): RateColumn | null {
  switch (category) {
    case 'marketing':
    case 'marketing_lite':
      return 'marketing';
    case 'utility':
      return 'utility';
    case 'authentication':
      return 'authentication';
    case 'authentication_international':
      return 'authentication_international';
    case 'service':
      return 'service';
    default:
      return null;
  }
}
