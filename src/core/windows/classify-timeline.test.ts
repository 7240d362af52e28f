import { InputError } from '../errors';
import { classifyTimeline } from './classify-timeline';
import { pricingModelAt, pricingModelOnDay } from './pricing-model';
import type { TimelineEvent } from './timeline-events';

const H = 3_600_000;
const T0 = Date.parse('2026-03-10T12:00:00Z');
const tz = { timezone: 'America/Sao_Paulo' };
const inbound = (id: string, h: number, referral?: boolean): TimelineEvent => ({
  kind: 'inbound_message',
  id,
  atMs: T0 + h * H,
  ...(referral ? { referral } : {}),
});
const template = (
  wamid: string,
  h: number,
  templateCategory: 'marketing' | 'utility' | 'authentication',
  status?: 'sent' | 'delivered' | 'read' | 'failed',
): TimelineEvent => ({
  kind: 'outbound_message',
  wamid,
  atMs: T0 + h * H,
  isTemplate: true,
  templateCategory,
  ...(status ? { status } : {}),
});
const text = (wamid: string, h: number): TimelineEvent => ({ kind: 'outbound_message', wamid, atMs: T0 + h * H, isTemplate: false });
const verdicts = (events: TimelineEvent[]) => classifyTimeline(events, tz).map((c) => [c.wamid, c.category, c.pricingType, c.charged]);

describe('classifyTimeline (PMP)', () => {
  test('Meta pricing page charge sequence: marketing charged, reply free, utility in CSW free, CSW closes, utility charged', () => {
    expect(
      verdicts([
        template('m1', 0, 'marketing'),
        inbound('u1', 1),
        text('t1', 1.5),
        template('m2', 2, 'utility'),
        template('m3', 1 + 24, 'utility'), // the CSW opened at +1h closed at +25h exactly
      ]),
    ).toEqual([
      ['m1', 'marketing', 'regular', true],
      ['t1', 'service', 'free_customer_service', false],
      ['m2', 'utility', 'free_customer_service', false],
      ['m3', 'utility', 'regular', true],
    ]);
  });

  test('the same events unsorted give the same result', () => {
    const events = [
      template('m1', 0, 'marketing'),
      inbound('u1', 1),
      text('t1', 1.5),
      template('m2', 2, 'utility'),
      template('m3', 26, 'utility'),
    ];
    expect(verdicts([...events].reverse())).toEqual(verdicts(events));
  });

  test("the business's own messages do not extend the CSW; each inbound message refreshes it", () => {
    expect(
      verdicts([
        inbound('u1', 0),
        text('t1', 20),
        template('a', 23, 'utility'),
        template('b', 24.5, 'utility'),
        inbound('u2', 30),
        template('c', 53, 'utility'),
      ]),
    ).toEqual([
      ['t1', 'service', 'free_customer_service', false],
      ['a', 'utility', 'free_customer_service', false],
      ['b', 'utility', 'regular', true],
      ['c', 'utility', 'free_customer_service', false],
    ]);
  });

  test('user calls and accepted business calls open the CSW; marketing and authentication stay charged inside it', () => {
    expect(
      verdicts([
        { kind: 'user_call', id: 'c1', atMs: T0 },
        template('a', 1, 'utility'),
        template('b', 2, 'marketing'),
        template('c', 3, 'authentication'),
        { kind: 'business_call_accepted', id: 'c2', atMs: T0 + 40 * H },
        template('d', 41, 'utility'),
      ]),
    ).toEqual([
      ['a', 'utility', 'free_customer_service', false],
      ['b', 'marketing', 'regular', true],
      ['c', 'authentication', 'regular', true],
      ['d', 'utility', 'free_customer_service', false],
    ]);
  });

  test('free entry point: the first reply within 24h of an ad referral opens 72h in which everything is free', () => {
    const result = classifyTimeline(
      [
        inbound('ad', 0, true),
        text('r1', 2),
        template('m1', 30, 'marketing'),
        template('m2', 2 + 71.9, 'marketing'),
        template('m3', 2 + 72, 'marketing'),
      ],
      tz,
    );
    expect(result.map((c) => [c.wamid, c.category, c.pricingType, c.fepOpen, c.charged])).toEqual([
      ['r1', 'referral_conversion', 'free_entry_point', true, false],
      ['m1', 'referral_conversion', 'free_entry_point', true, false],
      ['m2', 'referral_conversion', 'free_entry_point', true, false],
      ['m3', 'marketing', 'regular', false, true],
    ]);
    expect(result[0]?.conversationId).toBe('r1:referral_conversion');
    expect(result[1]?.cswOpen).toBe(false); // the CSW closed at +24h, FEP kept the template free
  });

  test('no FEP when the reply comes 24h or more after the referral, or without a referral', () => {
    expect(verdicts([inbound('ad', 0, true), inbound('u2', 23), template('late', 24, 'marketing')])).toEqual([
      ['late', 'marketing', 'regular', true],
    ]);
    expect(verdicts([inbound('u1', 0), text('r1', 1), template('m', 30, 'marketing')])).toEqual([
      ['r1', 'service', 'free_customer_service', false],
      ['m', 'marketing', 'regular', true],
    ]);
  });

  test('a failed first reply does not open the FEP window; the next delivered one does', () => {
    expect(verdicts([inbound('ad', 0, true), template('f', 1, 'marketing', 'failed'), text('r', 2)]).map((v) => v.slice(0, 3))).toEqual([
      ['f', 'marketing', 'regular'],
      ['r', 'referral_conversion', 'free_entry_point'],
    ]);
  });

  test('duplicate and out-of-order statuses give one classification per wamid', () => {
    const result = classifyTimeline(
      [
        template('m1', 0, 'marketing', 'read'),
        template('m1', 0, 'marketing', 'sent'),
        template('m1', 0, 'marketing', 'delivered'),
        template('m1', 0, 'marketing', 'delivered'),
      ],
      tz,
    );
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ delivered: true, charged: true });
  });

  test('sent but failed is not charged; delivered after failed (multi-device) is', () => {
    const failed = classifyTimeline([template('f', 0, 'marketing', 'sent'), template('f', 0.01, 'marketing', 'failed')], tz);
    expect(failed).toEqual([expect.objectContaining({ wamid: 'f', delivered: false, charged: false, pricingType: 'regular' })]);
    const sentOnly = classifyTimeline([template('s', 0, 'marketing', 'sent')], tz);
    expect(sentOnly[0]).toMatchObject({ delivered: false, charged: false });
    const late = classifyTimeline([template('d', 0, 'marketing', 'failed'), template('d', 0.01, 'marketing', 'delivered')], tz);
    expect(late[0]).toMatchObject({ delivered: true, charged: true });
  });

  test("Meta's pricing object wins over inference (both auth-international spellings)", () => {
    const result = classifyTimeline(
      [
        inbound('u1', 0),
        {
          kind: 'outbound_message',
          wamid: 'x',
          atMs: T0 + H,
          isTemplate: true,
          templateCategory: 'utility',
          pricing: { category: 'utility', pricingType: 'regular' },
        },
        {
          kind: 'outbound_message',
          wamid: 'y',
          atMs: T0 + 2 * H,
          isTemplate: true,
          pricing: { category: 'authentication-international' as never, pricingType: 'regular' },
        },
      ],
      tz,
    );
    expect(result.map((c) => [c.wamid, c.source, c.category, c.pricingType, c.inferredPricingType])).toEqual([
      ['x', 'meta', 'utility', 'regular', 'free_customer_service'],
      ['y', 'meta', 'authentication_international', 'regular', 'regular'],
    ]);
  });

  test('bad input is an InputError naming the field', () => {
    expect(() => classifyTimeline([{ kind: 'outbound_message', wamid: 'n', atMs: T0, isTemplate: true }], tz)).toThrow(/templateCategory/);
    expect(() => classifyTimeline([{ kind: 'inbound_message', id: 'a', atMs: Number.NaN }], tz)).toThrow(/^events\[0\]\.atMs/);
    expect(() => classifyTimeline([{ kind: 'echo', id: 'a', atMs: 1 } as never], tz)).toThrow(/^events\[0\]\.kind/);
    expect(() => classifyTimeline([], { timezone: 'Moon/Base' })).toThrow(InputError);
  });
});

describe('pricing model switch at WABA-local midnight 2025-07-01', () => {
  test.each([
    ['America/Sao_Paulo', '2025-07-01T02:59:59.999Z', 'CBP'],
    ['America/Sao_Paulo', '2025-07-01T03:00:00.000Z', 'PMP'],
    ['Asia/Kolkata', '2025-06-30T18:29:59.999Z', 'CBP'],
    ['Asia/Kolkata', '2025-06-30T18:30:00.000Z', 'PMP'],
    ['UTC', '2025-06-30T23:59:59.999Z', 'CBP'],
  ])('%s at %s is %s', (timezone, iso, model) => {
    expect(pricingModelAt(Date.parse(iso), timezone)).toBe(model);
  });

  test('the same instant is PMP in Kolkata and CBP in Sao Paulo, and the classifier follows it', () => {
    const at = Date.parse('2025-07-01T01:00:00Z');
    const event: TimelineEvent = { kind: 'outbound_message', wamid: 'w', atMs: at, isTemplate: true, templateCategory: 'marketing' };
    expect(classifyTimeline([event], { timezone: 'Asia/Kolkata' })[0]?.pricingModel).toBe('PMP');
    expect(classifyTimeline([event], { timezone: 'America/Sao_Paulo' })[0]?.pricingModel).toBe('CBP');
    expect(pricingModelOnDay('2025-06-30')).toBe('CBP');
    expect(pricingModelOnDay('2025-07-01')).toBe('PMP');
  });
});

describe('classifyTimeline (CBP)', () => {
  const T = Date.parse('2024-06-10T12:00:00Z');
  const at = (h: number) => T + h * H;
  test('one conversation per category per 24h; free-form messages join an open conversation', () => {
    const result = classifyTimeline(
      [
        { kind: 'outbound_message', wamid: 'm1', atMs: at(0), isTemplate: true, templateCategory: 'marketing' },
        { kind: 'outbound_message', wamid: 'm2', atMs: at(5), isTemplate: true, templateCategory: 'marketing' },
        { kind: 'outbound_message', wamid: 'u1', atMs: at(6), isTemplate: true, templateCategory: 'utility' },
        { kind: 'inbound_message', id: 'in', atMs: at(7) },
        { kind: 'outbound_message', wamid: 't1', atMs: at(8), isTemplate: false },
        { kind: 'outbound_message', wamid: 'm3', atMs: at(24), isTemplate: true, templateCategory: 'marketing' },
        { kind: 'inbound_message', id: 'in2', atMs: at(50) },
        { kind: 'outbound_message', wamid: 't2', atMs: at(51), isTemplate: false },
      ],
      { timezone: 'Asia/Kolkata' },
    );
    expect(result.map((c) => [c.wamid, c.pricingModel, c.category, c.conversationId, c.opensConversation, c.charged])).toEqual([
      ['m1', 'CBP', 'marketing', 'm1:marketing', true, true],
      ['m2', 'CBP', 'marketing', 'm1:marketing', false, false],
      ['u1', 'CBP', 'utility', 'u1:utility', true, true],
      ['t1', 'CBP', 'utility', 'u1:utility', false, false],
      ['m3', 'CBP', 'marketing', 'm3:marketing', true, true],
      ['t2', 'CBP', 'service', 't2:service', true, true],
    ]);
  });

  test('a utility conversation open across the 2025-07-01 switch keeps later utility templates free (Meta edge case)', () => {
    const result = classifyTimeline(
      [
        { kind: 'outbound_message', wamid: 'u1', atMs: Date.parse('2025-06-30T20:00:00Z'), isTemplate: true, templateCategory: 'utility' },
        { kind: 'outbound_message', wamid: 'u2', atMs: Date.parse('2025-07-01T08:00:00Z'), isTemplate: true, templateCategory: 'utility' },
        {
          kind: 'outbound_message',
          wamid: 'm1',
          atMs: Date.parse('2025-07-01T09:00:00Z'),
          isTemplate: true,
          templateCategory: 'marketing',
        },
        { kind: 'outbound_message', wamid: 'u3', atMs: Date.parse('2025-07-01T20:00:00Z'), isTemplate: true, templateCategory: 'utility' },
      ],
      { timezone: 'UTC' },
    );
    expect(result.map((c) => [c.wamid, c.pricingModel, c.pricingType, c.conversationId, c.charged])).toEqual([
      ['u1', 'CBP', 'regular', 'u1:utility', true],
      ['u2', 'CBP', 'regular', 'u1:utility', false],
      ['m1', 'PMP', 'regular', null, true],
      ['u3', 'PMP', 'regular', null, true],
    ]);
  });

  test("service conversations are not charged from 2024-11-01; Meta's conversation ids count once", () => {
    const result = classifyTimeline(
      [
        { kind: 'inbound_message', id: 'in', atMs: Date.parse('2024-11-05T10:00:00Z') },
        { kind: 'outbound_message', wamid: 's', atMs: Date.parse('2024-11-05T10:05:00Z'), isTemplate: false },
        {
          kind: 'outbound_message',
          wamid: 'a',
          atMs: Date.parse('2024-11-05T11:00:00Z'),
          isTemplate: true,
          pricing: { category: 'utility', pricingType: 'regular', pricingModel: 'CBP', conversationId: 'C1' },
        },
        {
          kind: 'outbound_message',
          wamid: 'b',
          atMs: Date.parse('2024-11-05T12:00:00Z'),
          isTemplate: true,
          pricing: { category: 'utility', pricingType: 'regular', pricingModel: 'CBP', conversationId: 'C1' },
        },
      ],
      { timezone: 'UTC' },
    );
    expect(result.map((c) => [c.wamid, c.conversationId, c.opensConversation, c.charged])).toEqual([
      ['s', 's:service', true, false],
      ['a', 'C1', true, true],
      ['b', 'C1', false, false],
    ]);
  });
});

describe('merging the events of one wamid', () => {
  test('a message seen only as read was delivered and is charged', () => {
    expect(classifyTimeline([template('r', 0, 'marketing', 'read')], tz)[0]).toMatchObject({ delivered: true, charged: true });
  });

  test('the send time is the earliest status, and later statuses supply the template flag, category and pricing', () => {
    const result = classifyTimeline(
      [
        // The status events for "w" arrive out of order; only the later ones know it was a template.
        { kind: 'outbound_message', wamid: 'w', atMs: T0 + 0.5 * H, isTemplate: true, templateCategory: 'utility', status: 'delivered' },
        { kind: 'outbound_message', wamid: 'w', atMs: T0, isTemplate: false, status: 'sent' },
        { kind: 'outbound_message', wamid: 'p', atMs: T0 + H, isTemplate: true, templateCategory: 'marketing', status: 'sent' },
        {
          kind: 'outbound_message',
          wamid: 'p',
          atMs: T0 + 1.1 * H,
          isTemplate: true,
          templateCategory: 'marketing',
          status: 'delivered',
          pricing: { category: 'marketing_lite', pricingType: 'regular' },
        },
      ],
      tz,
    );
    expect(result.map((c) => [c.wamid, c.atMs - T0, c.category, c.pricingType, c.source, c.charged])).toEqual([
      ['w', 0, 'utility', 'regular', 'inferred', true], // no CSW open: a charged utility template, not a free reply
      ['p', H, 'marketing_lite', 'regular', 'meta', true],
    ]);
  });
});

describe('events in the same millisecond', () => {
  test('a contact message opens the CSW for a template sent in the same millisecond, whatever the input order', () => {
    const events = [template('u', 0, 'utility'), inbound('in', 0)];
    for (const order of [events, [...events].reverse()]) {
      expect(classifyTimeline(order, tz).map((c) => [c.wamid, c.cswOpen, c.pricingType, c.charged])).toEqual([
        ['u', true, 'free_customer_service', false],
      ]);
    }
  });

  test('CBP: of two templates in the same millisecond the lower wamid opens the conversation, whatever the input order', () => {
    const at = Date.parse('2024-06-10T12:00:00Z');
    const ev = (wamid: string): TimelineEvent => ({
      kind: 'outbound_message',
      wamid,
      atMs: at,
      isTemplate: true,
      templateCategory: 'marketing',
    });
    const expected = [
      ['a', 'a:marketing', true, true],
      ['b', 'a:marketing', false, false],
      ['c', 'a:marketing', false, false],
    ];
    for (const order of [
      ['a', 'b', 'c'],
      ['c', 'b', 'a'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
    ]) {
      const result = classifyTimeline(order.map(ev), { timezone: 'UTC' });
      expect(result.map((c) => [c.wamid, c.conversationId, c.opensConversation, c.charged])).toEqual(expected);
    }
  });
});

describe('free entry point window edges', () => {
  test('the reply that opens the FEP opens its conversation; a second referral inside the window neither reopens nor extends it', () => {
    const result = classifyTimeline(
      [inbound('ad', 0, true), text('r1', 2), inbound('ad2', 10, true), text('r2', 11), template('m', 2 + 72 + 3, 'marketing')],
      tz,
    );
    expect(result.map((c) => [c.wamid, c.conversationId, c.opensConversation, c.fepOpen, c.pricingType])).toEqual([
      ['r1', 'r1:referral_conversion', true, true, 'free_entry_point'],
      ['r2', 'r1:referral_conversion', false, true, 'free_entry_point'],
      ['m', null, false, false, 'regular'], // the FEP from r1 closed at +74h
    ]);
  });

  test('a reply at the very millisecond the FEP closes opens a new one when a referral is pending', () => {
    const result = classifyTimeline([inbound('ad', 0, true), text('r1', 2), inbound('ad2', 60, true), text('r2', 2 + 72)], tz);
    expect(result.map((c) => [c.wamid, c.conversationId, c.opensConversation, c.pricingType])).toEqual([
      ['r1', 'r1:referral_conversion', true, 'free_entry_point'],
      ['r2', 'r2:referral_conversion', true, 'free_entry_point'],
    ]);
  });

  test("referral_conversion is never charged, even when Meta's pricing calls it regular", () => {
    const result = classifyTimeline(
      [
        {
          kind: 'outbound_message',
          wamid: 'x',
          atMs: T0,
          isTemplate: false,
          pricing: { category: 'referral_conversion', pricingType: 'regular' },
        },
      ],
      tz,
    );
    expect(result.map((c) => [c.category, c.pricingType, c.delivered, c.charged])).toEqual([
      ['referral_conversion', 'regular', true, false],
    ]);
  });
});

describe('CBP conversations', () => {
  test('an undelivered template opens no conversation; the next delivered one opens and is charged', () => {
    const at = (h: number) => Date.parse('2024-06-10T12:00:00Z') + h * H;
    const result = classifyTimeline(
      [
        { kind: 'outbound_message', wamid: 'f', atMs: at(0), isTemplate: true, templateCategory: 'marketing', status: 'failed' },
        { kind: 'outbound_message', wamid: 'd', atMs: at(1), isTemplate: true, templateCategory: 'marketing' },
      ],
      { timezone: 'UTC' },
    );
    expect(result.map((c) => [c.wamid, c.conversationId, c.opensConversation, c.charged])).toEqual([
      ['f', null, false, false],
      ['d', 'd:marketing', true, true],
    ]);
  });

  test('after the PMP switch a CBP conversation still open keeps only inferred templates of its category, not free-form messages nor Meta PMP verdicts', () => {
    const result = classifyTimeline(
      [
        { kind: 'inbound_message', id: 'in', atMs: Date.parse('2025-06-30T20:00:00Z') },
        { kind: 'outbound_message', wamid: 's1', atMs: Date.parse('2025-06-30T20:05:00Z'), isTemplate: false },
        { kind: 'outbound_message', wamid: 'u1', atMs: Date.parse('2025-06-30T20:10:00Z'), isTemplate: true, templateCategory: 'utility' },
        { kind: 'outbound_message', wamid: 's2', atMs: Date.parse('2025-07-01T08:00:00Z'), isTemplate: false },
        {
          kind: 'outbound_message',
          wamid: 'u2',
          atMs: Date.parse('2025-07-01T09:00:00Z'),
          isTemplate: true,
          templateCategory: 'utility',
          pricing: { category: 'utility', pricingType: 'regular', pricingModel: 'PMP' },
        },
        { kind: 'outbound_message', wamid: 'u3', atMs: Date.parse('2025-07-01T10:00:00Z'), isTemplate: true, templateCategory: 'utility' },
      ],
      { timezone: 'UTC' },
    );
    expect(result.map((c) => [c.wamid, c.pricingModel, c.conversationId, c.charged])).toEqual([
      ['s1', 'CBP', 's1:service', false],
      ['u1', 'CBP', 'u1:utility', true],
      ['s2', 'PMP', null, false],
      ['u2', 'PMP', null, true],
      ['u3', 'CBP', 'u1:utility', false],
    ]);
  });
});
