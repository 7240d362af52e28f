import { InputError } from '../errors';
import { buildUsageRows, type UsageMessage } from './usage-rows';

const base = { wabaId: 'w', portfolioId: 'p', currency: 'USD', timezone: 'Asia/Kolkata' } as const;
const msg = (iso: string, extra: Partial<UsageMessage> = {}): UsageMessage => ({
  ...base,
  atMs: Date.parse(iso),
  recipient: '919876543210',
  category: 'marketing',
  pricingType: 'regular',
  ...extra,
});

describe('buildUsageRows', () => {
  test('groups by WABA-local day, market, category, type and model; skips undelivered messages', () => {
    const rows = buildUsageRows([
      msg('2026-03-31T18:00:00Z'), // 23:30 IST, 31 March
      msg('2026-03-31T19:00:00Z'), // 00:30 IST, 1 April
      msg('2026-03-31T19:05:00Z'),
      msg('2026-03-31T19:06:00Z', { recipient: '+254712000001' }),
      msg('2026-03-31T19:07:00Z', { delivered: false }),
      msg('2026-03-31T19:08:00Z', { pricingType: 'free_customer_service', category: 'service' }),
    ]);
    expect(rows.map((r) => [r.day, r.market, r.category, r.pricingType, r.pricingModel, r.units, r.messages])).toEqual([
      ['2026-03-31', 'India', 'marketing', 'regular', 'PMP', 1, 1],
      ['2026-04-01', 'India', 'marketing', 'regular', 'PMP', 2, 2],
      ['2026-04-01', 'Rest of Africa', 'marketing', 'regular', 'PMP', 1, 1],
      ['2026-04-01', 'India', 'service', 'free_customer_service', 'PMP', 1, 1],
    ]);
  });

  test('CBP units are conversations, counted once on the day of their first message', () => {
    const rows = buildUsageRows([
      msg('2025-06-10T20:00:00Z', { conversationId: 'c1', category: 'utility' }), // 01:30 IST 11 June
      msg('2025-06-11T10:00:00Z', { conversationId: 'c1', category: 'utility' }),
      msg('2025-06-11T17:00:00Z', { conversationId: 'c1', category: 'utility' }), // 22:30 IST 11 June
      msg('2025-06-11T19:00:00Z', { conversationId: 'c1', category: 'utility' }), // 00:30 IST 12 June, same conversation
      msg('2025-06-11T19:30:00Z', { conversationId: 'c2', category: 'utility' }),
    ]);
    expect(rows.map((r) => [r.day, r.pricingModel, r.units, r.messages])).toEqual([
      ['2025-06-11', 'CBP', 1, 3],
      ['2025-06-12', 'CBP', 1, 2],
    ]);
  });

  test('dims are kept and split rows; a given market skips the phone lookup', () => {
    const rows = buildUsageRows([
      msg('2026-05-01T10:00:00Z', { dims: { group: 'spring' } }),
      msg('2026-05-01T10:01:00Z', { dims: { group: 'summer' } }),
      msg('2026-05-01T10:02:00Z', { dims: { group: 'spring' }, recipient: undefined, market: 'India' }),
    ]);
    expect(rows.map((r) => [r.dims?.group, r.units])).toEqual([
      ['spring', 2],
      ['summer', 1],
    ]);
  });

  test('bad recipients name the message', () => {
    expect(() => buildUsageRows([msg('2026-05-01T10:00:00Z'), msg('2026-05-01T10:00:00Z', { recipient: 'abc' })])).toThrow(
      /^messages\[1\]\.recipient: "abc"/,
    );
    expect(() => buildUsageRows([msg('2026-05-01T10:00:00Z', { recipient: undefined })])).toThrow(InputError);
  });

  test('a message with neither market nor recipient names the recipient field', () => {
    let error: unknown;
    try {
      buildUsageRows([msg('2026-05-01T10:00:00Z'), msg('2026-05-01T10:01:00Z', { recipient: undefined })]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ field: 'messages[1].recipient', reason: 'or market is required' });
  });

  test('rows come in time order of their first message, whatever the input order', () => {
    const rows = buildUsageRows([msg('2026-05-03T10:00:00Z'), msg('2026-05-02T10:00:00Z'), msg('2026-05-01T10:00:00Z')]);
    expect(rows.map((r) => r.day)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
  });

  test('dims with the same keys in another order are one row; values are not run together with the next key', () => {
    const rows = buildUsageRows([
      msg('2026-05-01T10:00:00Z', { dims: { a: '1', b: '2' } }),
      msg('2026-05-01T10:01:00Z', { dims: { b: '2', a: '1' } }),
      msg('2026-05-01T10:02:00Z', { dims: { a: '1b=2' } }),
    ]);
    expect(rows.map((r) => [r.dims, r.units])).toEqual([
      [{ a: '1', b: '2' }, 2],
      [{ a: '1b=2' }, 1],
    ]);
  });

  test('no dims and empty dims `{}` are one row, which carries no dims, whichever message comes first', () => {
    // Both mean "no grouping dimensions": 2026-05-01 10:00 and 10:01 UTC are 15:30 and 15:31 IST, one day.
    for (const [first, second] of [
      [undefined, {}],
      [{}, undefined],
    ]) {
      const rows = buildUsageRows([msg('2026-05-01T10:00:00Z', { dims: first }), msg('2026-05-01T10:01:00Z', { dims: second })]);
      expect(rows.map((r) => [r.day, r.units, r.messages, 'dims' in r])).toEqual([['2026-05-01', 2, 2, false]]);
    }
  });

  test('a null dims value groups with the empty string, as priceUsage orders it', () => {
    const rows = buildUsageRows([
      msg('2026-05-01T10:00:00Z', { dims: { group: null } }),
      msg('2026-05-01T10:01:00Z', { dims: { group: '' } }),
      msg('2026-05-01T10:02:00Z', { dims: { group: 'spring' } }),
    ]);
    expect(rows.map((r) => [r.dims?.group ?? '', r.units, r.messages])).toEqual([
      ['', 2, 2],
      ['spring', 1, 1],
    ]);
  });
});
