import { InputError } from '../errors';
import { isKnownCategory, normaliseCategory, normalisePricingType, rateColumnOf, toCategory } from './category';

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
