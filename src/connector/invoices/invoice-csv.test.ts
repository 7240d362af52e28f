import { parseInvoiceCsv } from './invoice-csv';

describe('parseInvoiceCsv', () => {
  it('reads the documented layout exactly, with a BOM, CRLF line ends and blank lines', () => {
    const text = '\uFEFFmonth,waba,currency,amount\r\n2026-03,102290129340398,BRL,12345.678901\r\n\r\n2026-04,102290129340398,BRL,0.5\r\n';
    expect(parseInvoiceCsv(text, 'f.csv')).toEqual({
      invoices: [
        { wabaId: '102290129340398', month: '2026-03', currency: 'BRL', amountMicros: 12_345_678_901n },
        { wabaId: '102290129340398', month: '2026-04', currency: 'BRL', amountMicros: 500_000n },
      ],
      errors: [],
    });
  });

  it('reports file lines as an editor shows them, after blank lines too', () => {
    const { invoices, errors } = parseInvoiceCsv('month,waba,currency,amount\n\n\n2026-03,W1,BRL,1.1234567\n', 'f.csv');
    expect(invoices).toEqual([]);
    expect(errors).toEqual(['f.csv line 4 amount: "1.1234567" has more than 6 decimal places']);
  });

  it('refuses an empty file, a header alone, unknown or repeated columns and rows longer than the header', () => {
    expect(parseInvoiceCsv('', 'f.csv').errors).toEqual([
      'f.csv: is empty; expected a header month,waba,currency,amount and one row per invoice',
    ]);
    expect(parseInvoiceCsv('month,waba,currency,amount\n', 'f.csv').errors).toEqual(['f.csv: has a header but no invoice rows']);
    expect(parseInvoiceCsv('month,waba,currency,amount,total\n2026-03,W1,BRL,1,1\n', 'f.csv').errors).toEqual([
      'f.csv line 1: column "total" is not one of month, waba, currency, amount',
    ]);
    expect(parseInvoiceCsv('month,month,waba,currency,amount\n', 'f.csv').errors).toEqual(['f.csv line 1: column "month" appears twice']);
    expect(parseInvoiceCsv('month,waba,currency,amount\n2026-03,W1,BRL,1,2\n2026-03,W1,BRL\n', 'f.csv').errors).toEqual([
      'f.csv line 2: has 5 cells, the header has 4',
      'f.csv line 3 amount: (missing) must be a decimal amount such as "1234.56"',
    ]);
  });

  it('checks WABA ids against the configured ones when given', () => {
    const { errors } = parseInvoiceCsv('month,waba,currency,amount\n2026-03,W9,BRL,1\n', 'f.csv', { knownWabas: new Set(['W1']) });
    expect(errors).toEqual(['f.csv line 2 waba: "W9" is not a configured WABA (W1)']);
  });
});
