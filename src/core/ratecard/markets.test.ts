import { InputError } from '../errors';
import { inputErrorMessageOf } from '../test-fixtures/input-error-of';
import { MARKET_CHANGES, marketNamesInForce, marketOf, marketOfCountry, marketsInForce, normalizePhone } from './markets';

describe('marketOf: recipient number -> pricing market', () => {
  test.each([
    // phone, day, iso2, market
    ['5511987654321', '2026-07-15', 'BR', 'Brazil'],
    ['+91 98765 43210', '2026-07-15', 'IN', 'India'],
    ['+44 20-7946-0958', '2026-07-15', 'GB', 'United Kingdom'],
    ['0049 30 1234567', '2026-07-15', 'DE', 'Germany'],
    // NANP: area codes decide
    ['+1 809 555 0100', '2026-07-15', 'DO', 'Rest of Latin America'],
    ['18295550100', '2026-07-15', 'DO', 'Rest of Latin America'],
    ['18495550100', '2026-07-15', 'DO', 'Rest of Latin America'],
    ['16585550100', '2026-07-15', 'JM', 'Rest of Latin America'],
    ['18765550100', '2026-07-15', 'JM', 'Rest of Latin America'],
    ['17875550100', '2026-07-15', 'PR', 'Rest of Latin America'],
    ['19395550100', '2026-07-15', 'PR', 'Rest of Latin America'],
    ['16315551181', '2026-07-15', 'US', 'North America'],
    ['14165550100', '2026-07-15', 'CA', 'North America'],
    ['18685550100', '2026-07-15', 'TT', 'North America'],
    // +7: Kazakhstan is +7 6xx / 7xx, Other until it became standalone on 2026-10-01
    ['+7 701 123 4567', '2026-09-30', 'KZ', 'Other'],
    ['+7 701 123 4567', '2026-10-01', 'KZ', 'Kazakhstan'],
    ['76012345678', '2026-10-01', 'KZ', 'Kazakhstan'],
    ['+7 495 123 4567', '2026-10-01', 'RU', 'Russia'],
    ['79161234567', '2025-01-01', 'RU', 'Russia'],
    // dated table versions
    ['263771234567', '2025-09-30', 'ZW', 'Other'],
    ['263771234567', '2025-10-01', 'ZW', 'Rest of Africa'],
    ['85291234567', '2026-06-30', 'HK', 'Rest of Asia Pacific'],
    ['85291234567', '2026-07-01', 'HK', 'Hong Kong'],
    ['6591234567', '2026-06-30', 'SG', 'Rest of Asia Pacific'],
    ['36201234567', '2026-06-30', 'HU', 'Rest of Central and Eastern Europe'],
    ['48501234567', '2026-06-30', 'PL', 'Rest of Central and Eastern Europe'],
    ['40721234567', '2026-07-01', 'RO', 'Romania'],
    ['97433123456', '2026-06-30', 'QA', 'Rest of Middle East'],
    ['97433123456', '2026-07-01', 'QA', 'Qatar'],
    ['8801712345678', '2026-09-30', 'BD', 'Rest of Asia Pacific'],
    ['8801712345678', '2026-10-01', 'BD', 'Bangladesh'],
    ['212612345678', '2026-09-30', 'MA', 'Rest of Africa'],
    ['212612345678', '2026-10-01', 'MA', 'Morocco'],
    ['380501234567', '2026-10-01', 'UA', 'Ukraine'],
    ['96599123456', '2026-10-01', 'KW', 'Kuwait'],
  ])('%s on %s -> %s / %s', (phone, day, iso2, market) => {
    const info = marketOf(phone, day);
    expect(info.iso2).toBe(iso2);
    expect(info.market).toBe(market);
  });

  test('unknown calling codes are Other with no country', () => {
    expect(marketOf('3541234567', '2026-07-15')).toEqual({ iso2: null, country: null, market: 'Other', callingCode: null });
  });

  test('the calling code comes back with the country', () => {
    expect(marketOf('+7 701 123 4567', '2026-10-01')).toEqual({
      iso2: 'KZ',
      country: 'Kazakhstan',
      market: 'Kazakhstan',
      callingCode: '7',
    });
    expect(marketOf('18095550100', '2026-10-01').callingCode).toBe('1');
  });

  test.each(['+1 80A 555', 'phone', '', '12', '1234567890123456', '+44 (20) 7946 0958 ext 3'])('rejects %j with an InputError', (bad) => {
    expect(() => marketOf(bad, '2026-07-15', 'messages[3].recipient_id')).toThrow(InputError);
    expect(() => marketOf(bad, '2026-07-15', 'messages[3].recipient_id')).toThrow(/^messages\[3\]\.recipient_id: /);
  });

  test('rejects a bad day', () => {
    expect(() => marketOf('5511987654321', '2026-7-1')).toThrow(/^day: /);
  });

  test('normalizePhone accepts the usual punctuation', () => {
    expect(normalizePhone('+55 (11) 98765-4321')).toBe('5511987654321');
    expect(normalizePhone('0055.11.98765.4321')).toBe('5511987654321');
  });
});

describe('market table versions', () => {
  test('every change names a country of the table and moves it from one market to another', () => {
    for (const change of MARKET_CHANGES) {
      const before = marketOfCountry(change.iso2, '2025-01-01');
      const dayBefore = new Date(Date.parse(`${change.effectiveFrom}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      expect(marketOfCountry(change.iso2, dayBefore).market).toBe(change.fromMarket);
      expect(marketOfCountry(change.iso2, change.effectiveFrom).market).toBe(change.toMarket);
      expect(before.country).toBe(change.country);
    }
  });

  test('the 2026-07 table is reproduced exactly between 2026-07-01 and 2026-09-30', () => {
    const inForce = marketsInForce('2026-08-15');
    expect(inForce.find((m) => m.iso2 === 'HK')?.market).toBe('Hong Kong');
    expect(inForce.find((m) => m.iso2 === 'BD')?.market).toBe('Rest of Asia Pacific');
    expect(inForce.find((m) => m.iso2 === 'KZ')?.market).toBe('Other');
    expect(inForce.filter((m) => m.iso2 === 'US' || m.iso2 === 'CA').map((m) => m.market)).toEqual(['North America', 'North America']);
  });

  test('market names per version', () => {
    const before = marketNamesInForce('2026-06-30');
    const after = marketNamesInForce('2026-10-01');
    expect(before).not.toContain('Hong Kong');
    expect(after).toEqual(expect.arrayContaining(['Hong Kong', 'Kazakhstan', 'Sri Lanka', 'Other']));
    expect(after.length - before.length).toBe(6 + 9);
  });

  test('marketOfCountry for analytics country codes', () => {
    expect(marketOfCountry('in', '2025-07-01')).toMatchObject({ iso2: 'IN', market: 'India' });
    expect(marketOfCountry('IS', '2025-07-01')).toEqual({ iso2: 'IS', country: null, market: 'Other', callingCode: null });
    expect(() => marketOfCountry('IND', '2025-07-01')).toThrow(InputError);
  });
});

describe('phone numbers and country codes: bounds and refusals, as the user reads them', () => {
  test('5 and 15 digits are the bounds; leading spaces before "+" are allowed', () => {
    expect(normalizePhone('12345')).toBe('12345');
    expect(normalizePhone('123456789012345')).toBe('123456789012345');
    expect(normalizePhone(' +55 11 98765 4321')).toBe('5511987654321');
  });

  test.each([
    ['abc', 'phone: "abc" is not a phone number (digits with optional +, spaces or dashes)'],
    ['1234', 'phone: "1234" must have 5 to 15 digits including the country code'],
    ['1234567890123456', 'phone: "1234567890123456" must have 5 to 15 digits including the country code'],
    // A number that is not a string (untyped JSON) is refused as a value, not read as digits.
    [5511987654321, 'phone: 5511987654321 is not a phone number (digits with optional +, spaces or dashes)'],
  ])('normalizePhone(%j) is refused', (phone, message) => {
    expect(inputErrorMessageOf(() => normalizePhone(phone as string))).toBe(message);
  });

  test('marketOf names the field "phone" unless told otherwise', () => {
    expect(inputErrorMessageOf(() => marketOf('x', '2026-07-15'))).toBe(
      'phone: "x" is not a phone number (digits with optional +, spaces or dashes)',
    );
  });

  test('marketOfCountry: the field is "country", the day is "day"; a list holding a code is not a code', () => {
    expect(inputErrorMessageOf(() => marketOfCountry('IND', '2025-07-01'))).toBe(
      'country: "IND" is not an ISO 3166-1 alpha-2 country code',
    );
    expect(inputErrorMessageOf(() => marketOfCountry(['IN'] as unknown as string, '2025-07-01'))).toBe(
      'country: ["IN"] is not an ISO 3166-1 alpha-2 country code',
    );
    expect(inputErrorMessageOf(() => marketOfCountry('IN', '2026-7-1'))).toBe('day: "2026-7-1" is not a date in YYYY-MM-DD form');
    expect(inputErrorMessageOf(() => marketsInForce('2026-7-2'))).toBe('day: "2026-7-2" is not a date in YYYY-MM-DD form');
  });

  test('marketsInForce is ordered by market, then by country within a market', () => {
    const inForce = marketsInForce('2026-10-01');
    expect(inForce.slice(0, 3).map((m) => [m.market, m.country])).toEqual([
      ['Argentina', 'Argentina'],
      ['Bangladesh', 'Bangladesh'],
      ['Brazil', 'Brazil'],
    ]);
    expect(inForce.filter((m) => m.market === 'North America').map((m) => m.country)).toEqual([
      'American Samoa',
      'Anguilla',
      'Antigua and Barbuda',
      'Bahamas',
      'Barbados',
      'Bermuda',
      'British Virgin Islands',
      'Canada',
      'Cayman Islands',
      'Dominica',
      'Grenada',
      'Guam',
      'Montserrat',
      'Northern Mariana Islands',
      'Saint Kitts and Nevis',
      'Saint Lucia',
      'Saint Vincent and the Grenadines',
      'Sint Maarten',
      'Trinidad and Tobago',
      'Turks and Caicos Islands',
      'U.S. Virgin Islands',
      'United States',
    ]);
  });

  test('marketNamesInForce sorts "Other" in with the rest, also on a day when no country is priced as Other', () => {
    // From 2026-10-01 Kazakhstan is its own market: no known country is in "Other" any more.
    const names = marketNamesInForce('2026-10-01');
    expect(names.slice(names.indexOf('Nepal'), names.indexOf('Nepal') + 7)).toEqual([
      'Nepal',
      'Netherlands',
      'Nigeria',
      'North America',
      'Oman',
      'Other',
      'Pakistan',
    ]);
    expect(names[names.length - 1]).toBe('United Kingdom');
  });
});
