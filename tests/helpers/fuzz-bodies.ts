/**
 * fast-check generators of hostile webhook bodies and query strings for the bad-input suite:
 * invalid JSON, wrong types, huge arrays, deep nesting, unicode, missing fields, unknown event kinds,
 * absurd timestamps and negative durations. Timestamps never fall in October 2026, where the suite's
 * valid data lives, so a fuzz body the connector rightly accepts cannot move those totals.
 */
import fc from 'fast-check';
import { RELIABILITY_WABAS } from './webhook-envelopes';

const WABA_IDS = [...RELIABILITY_WABAS.map((w) => w.id), '999999999999999', '', '0'];
const PHONE_IDS = [...RELIABILITY_WABAS.flatMap((w) => [...w.phones]), '1', 'x'];

const absurdTimestamp = fc.oneof(
  fc.constantFrom(
    '-1',
    '0',
    '99999999999999999999',
    '1e308',
    'NaN',
    'Infinity',
    '',
    '  ',
    '1.5',
    '0x10',
    '2026-10-01',
    '１７５００３００７３',
  ),
  fc.integer({ min: -2_000_000_000, max: 1_500_000_000 }).map(String), // before 2017
  fc.integer({ min: 1_900_000_000, max: 4_000_000_000 }).map(String), // after 2030
  fc.constantFrom(-1, 0, 1e308, Number.MAX_SAFE_INTEGER, 1.5),
);

const weirdValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

const statusArb = fc.record(
  {
    id: fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }).map((s) => `wamid.FUZZ${s}`),
      weirdValue,
    ),
    status: fc.oneof(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'played', 'deleted', 'warning', 'SENT', ''), weirdValue),
    timestamp: fc.oneof(absurdTimestamp, weirdValue),
    recipient_id: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), weirdValue),
    pricing: fc.oneof(
      fc.record(
        {
          billable: fc.oneof(fc.boolean(), weirdValue),
          pricing_model: fc.oneof(fc.constantFrom('PMP', 'CBP', 'XYZ'), weirdValue),
          type: fc.oneof(fc.constantFrom('regular', 'free_customer_service', 'free_entry_point', 'nope'), weirdValue),
          category: fc.oneof(
            fc.constantFrom('marketing', 'utility', 'authentication-international', 'authentication_international', 'bogus'),
            weirdValue,
          ),
        },
        { requiredKeys: [] },
      ),
      weirdValue,
    ),
    errors: fc.oneof(fc.array(weirdValue, { maxLength: 3 }), weirdValue),
  },
  { requiredKeys: [] },
);

const callArb = fc.record(
  {
    id: fc.oneof(
      fc.string({ maxLength: 40 }).map((s) => `wacid.FUZZ${s}`),
      weirdValue,
    ),
    event: fc.oneof(fc.constantFrom('connect', 'terminate', 'ring', ''), weirdValue),
    direction: fc.oneof(fc.constantFrom('USER_INITIATED', 'BUSINESS_INITIATED', 'SIDEWAYS'), weirdValue),
    timestamp: absurdTimestamp,
    start_time: absurdTimestamp,
    end_time: absurdTimestamp,
    duration: fc.oneof(fc.integer({ min: -1_000_000, max: -1 }), fc.double(), fc.constantFrom(1e308, -0, '12', 'NaN'), weirdValue),
    status: fc.oneof(fc.constantFrom('COMPLETED', 'Failed', 'completed', 'exploded'), weirdValue),
    from: fc.string({ maxLength: 20 }),
    to: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
);

const valueArb = fc.record(
  {
    messaging_product: fc.oneof(fc.constant('whatsapp'), weirdValue),
    metadata: fc.oneof(
      fc.record(
        { display_phone_number: fc.string(), phone_number_id: fc.oneof(fc.constantFrom(...PHONE_IDS), weirdValue) },
        { requiredKeys: [] },
      ),
      weirdValue,
    ),
    statuses: fc.oneof(fc.array(statusArb, { maxLength: 4 }), weirdValue),
    calls: fc.oneof(fc.array(callArb, { maxLength: 3 }), weirdValue),
    messages: fc.oneof(fc.array(fc.dictionary(fc.string(), weirdValue, { maxKeys: 4 }), { maxLength: 2 }), weirdValue),
    event: fc.oneof(fc.constantFrom('VOLUME_BASED_PRICING_TIER_UPDATE', 'UNKNOWN_EVENT'), weirdValue),
    volume_tier_info: fc.oneof(fc.dictionary(fc.string(), weirdValue, { maxKeys: 3 }), weirdValue),
  },
  { requiredKeys: [] },
);

const envelopeArb = fc
  .record(
    {
      object: fc.oneof(fc.constant('whatsapp_business_account'), weirdValue),
      entry: fc.oneof(
        fc.array(
          fc.record(
            {
              id: fc.oneof(fc.constantFrom(...WABA_IDS), weirdValue),
              changes: fc.oneof(
                fc.array(
                  fc.record(
                    {
                      field: fc.oneof(
                        fc.constantFrom(
                          'messages',
                          'calls',
                          'account_update',
                          'message_template_status_update',
                          'template_category_update',
                          'unknown_kind',
                          '',
                        ),
                        weirdValue,
                      ),
                      value: fc.oneof(valueArb, weirdValue),
                    },
                    { requiredKeys: [] },
                  ),
                  { maxLength: 3 },
                ),
                weirdValue,
              ),
              time: absurdTimestamp,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        weirdValue,
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** Deep nesting ([[[...]]] or {"a":{"a":...}}) at depths that break naive recursive code. */
const deepArb = fc
  .tuple(fc.integer({ min: 100, max: 200_000 }), fc.boolean())
  .map(([depth, arr]) => (arr ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

/** Huge arrays: up to 20,000 statuses or numbers (the big ones should meet the body limit: 413). */
const hugeArb = fc.tuple(fc.integer({ min: 1000, max: 20_000 }), fc.boolean()).map(([n, statuses]) =>
  statuses
    ? JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: WABA_IDS[0],
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { phone_number_id: PHONE_IDS[0] },
                  statuses: Array.from({ length: n }, (_, i) => ({
                    id: `wamid.FUZZHUGE${i}`,
                    status: 'delivered',
                    timestamp: '4000000000',
                    recipient_id: '5511999999999',
                  })),
                },
              },
            ],
          },
        ],
      })
    : JSON.stringify({ object: 'whatsapp_business_account', entry: Array.from({ length: n }, (_, i) => i) }),
);

const invalidJsonArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  envelopeArb.chain((s) => fc.integer({ min: 0, max: Math.max(0, s.length - 1) }).map((cut) => s.slice(0, cut))),
  fc.constantFrom(
    '',
    'null',
    'true',
    '0',
    '"x"',
    '[]',
    '{',
    '{"object":',
    '\u0000',
    '{"entry":[{"changes":[{"value":{"statuses":[{"id":1,}]}}]}]}',
    '\uFEFF{}',
  ),
);

/** A webhook body as text: the mix the suite posts (all signed correctly, so the parser is reached). */
export const webhookBodyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: envelopeArb },
  { weight: 2, arbitrary: invalidJsonArb },
  { weight: 1, arbitrary: deepArb },
  { weight: 1, arbitrary: hugeArb },
);

const QUERY_KEYS = [
  'from',
  'to',
  'waba',
  'phone',
  'country',
  'category',
  'pricingType',
  'direction',
  'group',
  'interval',
  'by',
  'source',
  'month',
  'kind',
  'x',
  '__proto__',
  'constructor',
  'from[]',
  'to[0]',
];
const queryValue = fc.oneof(
  fc.constantFrom(
    '2026-10-01',
    '2026-13-45',
    '0',
    '-1',
    '999999999999999999999',
    '1e308',
    'day',
    'hour',
    'month',
    'year',
    'estimate',
    'meta',
    'marketing,utility',
    'waba,category',
    'nope',
    '',
    ',,,',
    "1' OR '1'='1",
    '%00',
    '%',
    '%ZZ',
    '..%2F..%2F',
    '\u{1F600}',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  // Mostly under Node's 16 KiB header limit (so the API's own limits answer), some over it (431).
  fc.integer({ min: 1000, max: 9_000 }).map((n) => 'a,'.repeat(n)),
);

/** A raw query string (no leading ?): repeated keys, unencoded bytes, empty pairs. */
export const queryStringArb: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue, fc.boolean()), { maxLength: 8 })
  .map((pairs) =>
    pairs
      .map(([k, v, encode]) => {
        // Lone surrogates cannot be percent-encoded; round-trip through UTF-8 turns them into U+FFFD.
        const text = Buffer.from(v, 'utf8').toString('utf8');
        return `${k}=${encode ? encodeURIComponent(text) : encodeURI(text).replace(/#/g, '%23')}`;
      })
      .join('&'),
  );
