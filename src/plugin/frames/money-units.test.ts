import { formattedValueToString, getValueFormat, getValueFormatterIndex } from '@grafana/data';
import { buildUsageFrames } from './usage-frames';
import { currencyDecimals, currencyUnit, moneyFieldConfig } from './money-units';

// Meta's 16 billing currencies, with what a user must see for 1234.5 through the real
// @grafana/data formatter: the symbol, Grafana's own "K" scaling of currency units, and the
// currency's minor unit as decimals (ISO 4217: CLP has none, the others two). Written by hand.
const EXPECTED: Record<string, { decimals: number; text: string; small: string }> = {
  USD: { decimals: 2, text: '$1.23K', small: '$12.35' },
  AED: { decimals: 2, text: 'AED 1.23K', small: 'AED 12.35' },
  ARS: { decimals: 2, text: 'ARS 1.23K', small: 'ARS 12.35' },
  AUD: { decimals: 2, text: 'A$1.23K', small: 'A$12.35' },
  BRL: { decimals: 2, text: 'R$1.23K', small: 'R$12.35' },
  CLP: { decimals: 0, text: 'CLP 1K', small: 'CLP 12' },
  COP: { decimals: 2, text: 'COP 1.23K', small: 'COP 12.35' },
  EUR: { decimals: 2, text: '€1.23K', small: '€12.35' },
  GBP: { decimals: 2, text: '£1.23K', small: '£12.35' },
  IDR: { decimals: 2, text: 'Rp1.23K', small: 'Rp12.35' },
  INR: { decimals: 2, text: '₹1.23K', small: '₹12.35' },
  MXN: { decimals: 2, text: 'MX$1.23K', small: 'MX$12.35' },
  MYR: { decimals: 2, text: 'RM1.23K', small: 'RM12.35' },
  PEN: { decimals: 2, text: 'S/ 1.23K', small: 'S/ 12.35' },
  SAR: { decimals: 2, text: 'SAR 1.23K', small: 'SAR 12.35' },
  SGD: { decimals: 2, text: 'S$1.23K', small: 'S$12.35' },
};
const META_CURRENCIES = Object.keys(EXPECTED);

const show = (unit: string, value: number, decimals: number) => formattedValueToString(getValueFormat(unit)(value, decimals));

describe('money units against the real @grafana/data value formats', () => {
  it('covers exactly the 16 currencies Meta bills in', () => {
    expect(META_CURRENCIES.sort()).toEqual(
      ['USD', 'AED', 'ARS', 'AUD', 'BRL', 'CLP', 'COP', 'EUR', 'GBP', 'IDR', 'INR', 'MXN', 'MYR', 'PEN', 'SAR', 'SGD'].sort(),
    );
  });

  it.each(META_CURRENCIES)('%s renders its symbol, never the word "currency", with its minor-unit decimals', (code) => {
    const { unit, decimals } = moneyFieldConfig(code);
    expect(decimals).toBe(EXPECTED[code]!.decimals);
    expect(currencyDecimals(code)).toBe(EXPECTED[code]!.decimals);
    const text = show(unit, 1234.5, decimals);
    expect(text).toBe(EXPECTED[code]!.text);
    expect(text.toLowerCase()).not.toContain('currency');
    expect(show(unit, 12.345, decimals)).toBe(EXPECTED[code]!.small);
  });

  it("uses Grafana's own unit id where its registry has one, and a currency: custom unit only where it has none", () => {
    const index = getValueFormatterIndex();
    for (const code of META_CURRENCIES) {
      const unit = currencyUnit(code);
      if (index[`currency${code}`]) expect(unit).toBe(`currency${code}`);
      else expect(unit).toMatch(/^currency:/);
    }
    // The ones Grafana 13.2 lacks, which used to show as "1234.50 currencyMXN".
    const custom = META_CURRENCIES.filter((c) => currencyUnit(c).startsWith('currency:'));
    expect(custom.sort()).toEqual(['AED', 'ARS', 'AUD', 'CLP', 'COP', 'MXN', 'PEN', 'SAR', 'SGD']);
    // What the old unit id did, so the test above is known to catch it.
    expect(show('currencyMXN', 1234.5, 2)).toContain('currencyMXN');
  });

  it('keeps negative amounts (a reconciliation difference) readable', () => {
    expect(show(currencyUnit('MXN'), -12.5, 2)).toBe('-MX$12.50');
    expect(show(currencyUnit('CLP'), -1200, 0)).toBe('-CLP 1K');
  });

  it('an unknown code still shows its letters rather than a unit id', () => {
    expect(show(currencyUnit('xyz'), 5, 2)).toBe('XYZ 5.00');
  });

  it('cost frames carry the unit and decimals of their currency', () => {
    const body = {
      source: 'estimate',
      interval: 'day',
      problems: [],
      rows: [
        { time: 0, bucket: '2026-03-01', currency: 'CLP', messages: 2, billable: 2, cost: '1500' },
        { time: 0, bucket: '2026-03-01', currency: 'MXN', messages: 1, billable: 1, cost: '12.5' },
      ],
    };
    const frames = buildUsageFrames(body, 'cost', [], { refId: 'A' });
    const byName = Object.fromEntries(frames.map((f) => [f.name, f.fields[1]!.config]));
    expect(byName).toEqual({
      CLP: { displayNameFromDS: 'CLP', unit: 'currency:CLP ', decimals: 0 },
      MXN: { displayNameFromDS: 'MXN', unit: 'currency:MX$', decimals: 2 },
    });
  });
});
