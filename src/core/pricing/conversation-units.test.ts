import { InputError } from '../errors';
import { PRICING_RULES } from '../rules/pricing-rules';
import { formatMicros, sumMicros } from '../model/money';
import { buildTestBook } from '../test-fixtures/test-book';
import { conversationUnits, type ConversationMessage } from './conversation-units';
import { priceUsage } from './price-usage';
import { buildUsageRows, type UsageMessage } from './usage-rows';

// The test book's CBP card ("Cost per conversation in USD, effective June 1, 2023"): India marketing 0.0099, utility 0.0042.
const book = buildTestBook();
const KOLKATA = 'Asia/Kolkata';
const total = (rows: { costMicros: bigint | null }[]) => formatMicros(sumMicros(rows.map((r) => r.costMicros ?? 0n)), 4);

function status(iso: string, p: Partial<UsageMessage> = {}): UsageMessage {
  return {
    wabaId: 'w',
    portfolioId: 'p',
    currency: 'USD',
    timezone: KOLKATA,
    atMs: Date.parse(iso),
    market: 'India',
    category: 'marketing',
    pricingType: 'regular',
    pricingModel: 'CBP',
    conversationId: 'C1',
    conversationOrigin: 'marketing',
    ...p,
  };
}

describe('CBP days: a charged unit is a conversation (webhooks with conversation.id and origin.type)', () => {
  test('three marketing templates in one 24h conversation are one charge, not three', () => {
    const rows = buildUsageRows([status('2024-06-10T04:00:00Z'), status('2024-06-10T06:00:00Z'), status('2024-06-10T09:00:00Z')]);
    expect(rows.map((r) => [r.day, r.category, r.units, r.messages])).toEqual([['2024-06-10', 'marketing', 1, 3]]);
    // 1 conversation x India marketing 0.0099 = 0.0099 (per message it would be 3 x 0.0099 = 0.0297).
    expect(total(priceUsage(rows, book).rows)).toBe('0.0099');
  });

  test("counted once on the WABA-local day of its first delivered message, in its origin's category, whatever the order", () => {
    // Opened 23:30 Kolkata on 06-10 (18:00Z); a later message at 00:30 on 06-11 (19:00Z) is delivered, not charged.
    const messages = [
      status('2024-06-10T19:00:00Z', { category: 'utility', conversationOrigin: 'UTILITY', conversationId: 'C2' }),
      status('2024-06-10T18:00:00Z', { category: 'utility', conversationOrigin: 'UTILITY', conversationId: 'C2' }),
      status('2024-06-10T18:00:00Z', { category: 'utility', conversationOrigin: 'UTILITY', conversationId: 'C2', delivered: false }),
    ];
    expect(conversationUnits(messages)).toEqual([
      { day: '2024-06-11', pricingModel: 'CBP', category: 'utility', unit: 0 },
      { day: '2024-06-10', pricingModel: 'CBP', category: 'utility', unit: 1 },
      null,
    ]);
    const rows = buildUsageRows(messages);
    expect(rows.map((r) => [r.day, r.units, r.messages])).toEqual([
      ['2024-06-10', 1, 1],
      ['2024-06-11', 0, 1],
    ]);
    // 1 x India utility conversation 0.0042.
    expect(total(priceUsage(rows, book).rows)).toBe('0.0042');
  });

  test('the origin decides the category: a utility template inside a marketing conversation is part of the marketing charge', () => {
    const rows = buildUsageRows([
      status('2024-06-10T04:00:00Z'),
      status('2024-06-10T05:00:00Z', { category: 'utility', conversationOrigin: 'marketing' }),
    ]);
    expect(rows.map((r) => [r.category, r.units, r.messages])).toEqual([['marketing', 1, 2]]);
  });

  test('two conversations are two charges; a message without a conversation id is its own conversation', () => {
    const rows = buildUsageRows([
      status('2024-06-10T04:00:00Z'),
      status('2024-06-11T06:00:00Z', { conversationId: 'C9' }),
      status('2024-06-11T07:00:00Z', { conversationId: null }),
    ]);
    expect(rows.map((r) => [r.day, r.units, r.messages])).toEqual([
      ['2024-06-10', 1, 1],
      ['2024-06-11', 2, 2],
    ]);
  });
});

describe('the switch to per-message pricing at 2025-07-01 00:00 WABA-local', () => {
  test("Meta's edge case: a CBP-labelled template on or after 2025-07-01 inside a conversation opened before is not charged again", () => {
    // Utility conversation opened 2025-06-30 20:00 Kolkata (14:30Z); a utility template at 2025-07-01 01:00 Kolkata
    // (2025-06-30T19:30Z) still carries pricing_model CBP and the same conversation id: free (Meta pricing page).
    const opened = status('2025-06-30T14:30:00Z', { category: 'utility', conversationOrigin: 'utility', conversationId: 'U1' });
    const after = status('2025-06-30T19:30:00Z', { category: 'utility', conversationOrigin: 'utility', conversationId: 'U1' });
    const rows = buildUsageRows([opened, after]);
    expect(rows.map((r) => [r.day, r.pricingModel, r.units, r.messages])).toEqual([
      ['2025-06-30', 'CBP', 1, 1],
      ['2025-07-01', 'CBP', 0, 1],
    ]);
    expect(total(priceUsage(rows, book).rows)).toBe('0.0042');
    // Replayed from 2025-07-01 only (the opening status outside the window): still not a new charge.
    expect(conversationUnits([after])).toEqual([{ day: '2025-07-01', pricingModel: 'CBP', category: 'utility', unit: 0 }]);
  });

  test('PMP days count messages: units = messages', () => {
    const pmp = (iso: string): ConversationMessage => ({ wabaId: 'w', timezone: KOLKATA, atMs: Date.parse(iso), category: 'marketing' });
    // 2025-06-30T18:30Z is 00:00 on 07-01 in Kolkata: PMP; one minute earlier is CBP (no conversation id: its own).
    expect(conversationUnits([pmp('2025-06-30T18:29:00Z'), pmp('2025-06-30T18:30:00Z'), pmp('2025-06-30T18:31:00Z')])).toEqual([
      { day: '2025-06-30', pricingModel: 'CBP', category: 'marketing', unit: 1 },
      { day: '2025-07-01', pricingModel: 'PMP', category: 'marketing', unit: 1 },
      { day: '2025-07-01', pricingModel: 'PMP', category: 'marketing', unit: 1 },
    ]);
  });

  test('bad times are InputErrors naming the field', () => {
    expect(() => conversationUnits([{ wabaId: 'w', timezone: KOLKATA, atMs: Number.NaN, category: 'marketing' }])).toThrow(
      /^messages\[0\]\.atMs/,
    );
  });
});

describe('conversationUnits: mutation-testing gaps', () => {
  const cbp = (iso: string, p: Partial<ConversationMessage> = {}): ConversationMessage => ({
    wabaId: 'w',
    timezone: KOLKATA,
    atMs: Date.parse(iso),
    category: 'marketing',
    ...p,
  });
  const errorOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  test('the earliest message of a conversation is its unit, whatever the input order', () => {
    const later = cbp('2024-06-10T05:00:00Z', { conversationId: 'C1' });
    const earlier = cbp('2024-06-10T04:00:00Z', { conversationId: 'C1' });
    expect(conversationUnits([later, earlier]).map((u) => u?.unit)).toEqual([0, 1]);
  });

  test('CBP messages without a conversation id are each their own conversation', () => {
    expect(conversationUnits([cbp('2024-06-10T04:00:00Z'), cbp('2024-06-10T05:00:00Z')]).map((u) => u?.unit)).toEqual([1, 1]);
  });

  test('a bad time names the field and says what it must be', () => {
    const e = errorOf(() => conversationUnits([cbp('2024-06-10T04:00:00Z'), { ...cbp('2024-06-10T05:00:00Z'), atMs: Number.NaN }]));
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ field: 'messages[1].atMs', reason: 'must be epoch milliseconds' });
  });

  test('a bad conversation origin names its field', () => {
    const e = errorOf(() => conversationUnits([cbp('2024-06-10T04:00:00Z', { conversationId: 'C1', conversationOrigin: '  ' })]));
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ field: 'messages[0].conversationOrigin' });
  });
});

describe('conversationUnits: the rules table passed in', () => {
  test('a synthetic rules row switching back to CBP from 2026-11-01 makes a repeated conversation id one unit', () => {
    const back = [
      ...PRICING_RULES,
      {
        from: '2026-11-01',
        what: 'synthetic: back to conversations',
        source: PRICING_RULES[0]!.source,
        set: { pricingModel: 'CBP' as const },
      },
    ];
    const m = (iso: string): ConversationMessage => ({
      wabaId: 'w',
      timezone: KOLKATA,
      atMs: Date.parse(iso),
      category: 'marketing',
      conversationId: 'C1',
    });
    const messages = [m('2026-11-02T04:00:00Z'), m('2026-11-02T05:00:00Z')];
    expect(conversationUnits(messages, { rules: back }).map((u) => [u?.pricingModel, u?.unit])).toEqual([
      ['CBP', 1],
      ['CBP', 0],
    ]);
    // Meta's own table: per message.
    expect(conversationUnits(messages).map((u) => [u?.pricingModel, u?.unit])).toEqual([
      ['PMP', 1],
      ['PMP', 1],
    ]);
  });
});
