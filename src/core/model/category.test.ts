import { InputError } from '../errors';
import { inputErrorOf } from '../test-fixtures/input-error-of';
import { isKnownCategory, normaliseCategory, normalisePricingType, rateColumnOf, toCategory, toPricingType } from './category';

describe('categories: strict toCategory, lenient normaliseCategory', () => {
  test.each([
    ['Meta Business Agent', 'meta_business_agent', false],
    ['META_BUSINESS_AGENT', 'meta_business_agent', false],
    ['  meta-business-agent ', 'meta_business_agent', false],
    ['authentication-international', 'authentication_international', true],
    ['AUTHENTICATION_INTERNATIONAL', 'authentication_international', true],
    ['MARKETING_LITE', 'marketing_lite', true],
    ['service', 'service', true],
  ])('%j -> %s (known: %s)', (raw, category, known) => {
    expect(normaliseCategory(raw)).toEqual({ category, known });
    expect(isKnownCategory(category)).toBe(known);
  });

  test('strict callers still get an InputError for a value we do not know; nobody gets one for a non-empty value leniently', () => {
    expect(() => toCategory('Meta Business Agent', 'pricing.category')).toThrow(
      /^pricing\.category: "Meta Business Agent" unknown pricing category/,
    );
    expect(() => normaliseCategory('  ', 'statuses[0].pricing.category')).toThrow(/^statuses\[0\]\.pricing\.category/);
    expect(() => normaliseCategory(undefined as never)).toThrow(InputError);
  });

  test('pricing types the same way', () => {
    expect(normalisePricingType('FREE_CUSTOMER_SERVICE')).toEqual({ pricingType: 'free_customer_service', known: true });
    expect(normalisePricingType('Free Agent Tokens')).toEqual({ pricingType: 'free_agent_tokens', known: false });
  });

  test('unknown categories have no rate column, like referral_conversion', () => {
    expect(rateColumnOf('meta_business_agent')).toBeNull();
    expect(rateColumnOf('referral_conversion')).toBeNull();
    expect(rateColumnOf('marketing_lite')).toBe('marketing');
    expect(rateColumnOf('authentication_international')).toBe('authentication_international');
  });
});

describe('category and pricing type spellings: mutation-testing gaps', () => {
  test('toCategory trims and lower-cases; an unknown one names the default field and lists ours', () => {
    expect(toCategory(' MARKETING ')).toBe('marketing');
    expect(inputErrorOf(() => toCategory('bulk'))).toEqual({
      field: 'category',
      reason:
        'unknown pricing category; expected one of marketing, marketing_lite, utility, authentication, authentication_international, service, referral_conversion',
    });
  });

  test('toPricingType trims and lower-cases; an unknown one names the default field and lists ours', () => {
    expect(toPricingType(' FREE_TIER ')).toBe('free_tier');
    expect(toPricingType('regular')).toBe('regular');
    expect(inputErrorOf(() => toPricingType('paid'))).toEqual({
      field: 'pricing_type',
      reason: 'unknown pricing type; expected one of regular, free_customer_service, free_entry_point, free_tier',
    });
  });

  test('normaliseCategory: a run of separators is one underscore; separators at either end are dropped', () => {
    expect(normaliseCategory('Meta  Business -- Agent')).toEqual({ category: 'meta_business_agent', known: false });
    expect(normaliseCategory('-utility-')).toEqual({ category: 'utility', known: true });
  });

  test('an empty or blank value names the default field', () => {
    expect(inputErrorOf(() => normaliseCategory(' - '))).toEqual({ field: 'category', reason: 'must be a non-empty pricing category' });
    expect(inputErrorOf(() => normalisePricingType(''))).toEqual({ field: 'pricing_type', reason: 'must be a non-empty pricing type' });
  });
});
