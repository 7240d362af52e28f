import { InputError } from '../errors';
import { classifyTimeline } from './classify-timeline';
import type { TimelineEvent } from './timeline-events';

const T0 = Date.parse('2026-03-10T12:00:00Z');
const tz = { timezone: 'America/Sao_Paulo' };
const template = (extra: Record<string, unknown>): TimelineEvent =>
  ({ kind: 'outbound_message', wamid: 'w', atMs: T0, isTemplate: true, templateCategory: 'marketing', ...extra }) as TimelineEvent;

function inputErrorOf(events: unknown, options = tz): InputError | undefined {
  try {
    classifyTimeline(events as TimelineEvent[], options);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e; // a TypeError from unchecked input is a failure, not a clear error
  }
  return undefined;
}

describe('classifyTimeline refuses bad events with an InputError naming the field', () => {
  // The first event is fine, so every field path must carry the bad event's own index.
  const ok: TimelineEvent = { kind: 'inbound_message', id: 'u', atMs: T0 };
  test.each<[string, unknown, string, string]>([
    ['null', null, 'events[1].kind', 'must be one of inbound_message, user_call, business_call_accepted, outbound_message'],
    [
      'an unknown kind',
      { kind: 'echo', id: 'e', atMs: T0 },
      'events[1].kind',
      'must be one of inbound_message, user_call, business_call_accepted, outbound_message',
    ],
    ['a time in a string', { kind: 'user_call', id: 'c', atMs: String(T0) }, 'events[1].atMs', 'must be epoch milliseconds'],
    ['an endless time', { kind: 'user_call', id: 'c', atMs: Number.POSITIVE_INFINITY }, 'events[1].atMs', 'must be epoch milliseconds'],
    ['an inbound message without id', { kind: 'inbound_message', atMs: T0 }, 'events[1].id', 'must be a non-empty string'],
    ['a call with an empty id', { kind: 'business_call_accepted', id: '', atMs: T0 }, 'events[1].id', 'must be a non-empty string'],
    ['a call with a numeric id', { kind: 'user_call', id: 7, atMs: T0 }, 'events[1].id', 'must be a non-empty string'],
    ['a message without wamid', template({ wamid: undefined }), 'events[1].wamid', 'must be a non-empty string'],
    ['a message with an empty wamid', template({ wamid: '' }), 'events[1].wamid', 'must be a non-empty string'],
    ['an unknown status', template({ status: 'bounced' }), 'events[1].status', 'must be sent, delivered, read or failed'],
    [
      'an unknown template category',
      template({ templateCategory: 'promo' }),
      'events[1].templateCategory',
      'unknown pricing category; expected one of marketing, marketing_lite, utility, authentication, authentication_international, service, referral_conversion',
    ],
    [
      "an empty category in Meta's pricing",
      template({ pricing: { category: ' ', pricingType: 'regular' } }),
      'events[1].pricing.category',
      'must be a non-empty pricing category',
    ],
    [
      'isTemplate as a string',
      template({ isTemplate: 'true' }),
      'events[1].isTemplate',
      'must be true (a template) or false (a free-form message)',
    ],
    [
      "an empty pricing type in Meta's pricing",
      template({ pricing: { category: 'marketing', pricingType: '' } }),
      'events[1].pricing.pricingType',
      'must be a non-empty pricing type',
    ],
  ])('%s', (_what, bad, field, reason) => {
    const got = inputErrorOf([ok, bad]);
    expect([got?.field, got?.reason]).toEqual([field, reason]);
  });

  test('events that are not an array, a template without any category, and a bad time zone', () => {
    const notArray = inputErrorOf({ 0: { kind: 'inbound_message', id: 'u', atMs: T0 }, length: 1 });
    expect([notArray?.field, notArray?.reason]).toEqual(['events', 'must be an array of timeline events']);
    const noCategory = inputErrorOf([template({ templateCategory: undefined })]);
    expect([noCategory?.field, noCategory?.reason]).toEqual([
      'events[wamid=w].templateCategory',
      "is required for a template without Meta's pricing",
    ]);
    const zone = inputErrorOf([], { timezone: 'Moon/Base' });
    expect(zone?.field).toBe('timezone');
  });
});

describe('classifyTimeline accepts other spellings and reads them as ours', () => {
  test('a template category in capitals or with a dash is classified under our spelling', () => {
    const result = classifyTimeline(
      [
        template({ wamid: 'a', templateCategory: 'Marketing' }),
        template({ wamid: 'b', atMs: T0 + 1, templateCategory: 'authentication-international' }),
      ],
      tz,
    );
    expect(result.map((c) => [c.wamid, c.category, c.inferredCategory, c.pricingType, c.charged])).toEqual([
      ['a', 'marketing', 'marketing', 'regular', true],
      ['b', 'authentication_international', 'authentication_international', 'regular', true],
    ]);
  });

  test('isTemplate omitted reads as a free-form message', () => {
    // A template category on a free-form message is ignored: Meta files every free-form message under service.
    const result = classifyTimeline([template({ isTemplate: undefined })], tz);
    expect(result.map((c) => [c.category, c.pricingType, c.charged])).toEqual([['service', 'free_customer_service', false]]);
  });
});
