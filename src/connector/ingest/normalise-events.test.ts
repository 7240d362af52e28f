import { InputError } from '@core';
import { loadMetaFixture } from '../../../tests/fakes/load-meta-fixture';
import { errorOf } from '../../../tests/helpers/error-of';
import { normaliseEnvelope } from './normalise-events';
import { parseEnvelope } from './parse-envelope';
import type { CallEvent, StatusEvent } from './webhook-event';

const RECEIVED = 1_760_000_000_000;
const fixture = (name: string) => JSON.stringify(loadMetaFixture(name));
const events = (body: string) => normaliseEnvelope(parseEnvelope(body), RECEIVED);

describe('normaliseEnvelope on Meta examples', () => {
  it('flattens a sent status with its PMP pricing verdict', () => {
    const [e] = events(fixture('status_webhook_sent_marketing_pmp.json')) as StatusEvent[];
    expect(e).toMatchObject({
      kind: 'status',
      wabaId: '102290129340398',
      phoneNumberId: '106540352242922',
      atMs: 1750030073000,
      status: 'sent',
      recipient: '16505551234',
      pricing: { category: 'marketing', pricingType: 'regular', pricingModel: 'PMP', billable: true },
    });
    expect(e?.dedupeKey).toBe(`status:${e?.wamid}:sent`);
  });

  it('keeps error codes of a failed status and has no pricing verdict', () => {
    const [e] = events(fixture('status_webhook_failed_131049.json')) as StatusEvent[];
    expect(e?.status).toBe('failed');
    expect(e?.errorCodes).toEqual([131049]);
    expect(e?.pricing).toBeNull();
  });

  it('classifies account_update and dates it by entry.time', () => {
    const [e] = events(fixture('account_update_volume_tier_webhook.json'));
    expect(e).toMatchObject({ kind: 'account_update', atMs: 1743451903000, phoneNumberId: null });
    expect(e?.raw).toMatchObject({ event: 'VOLUME_BASED_PRICING_TIER_UPDATE' });
  });

  it('flattens a call connect with a key per call id and event', () => {
    const [e] = events(fixture('calls_webhook_connect_user_initiated.jsonc')) as CallEvent[];
    expect(e?.kind).toBe('call');
    expect(e?.dedupeKey).toBe(`call:${e?.callId}:connect`);
    expect(e?.callId).toMatch(/^wacid\./);
    expect(e).toMatchObject({ direction: 'user_initiated', userNumber: '13175551399', startMs: null });
  });
});

describe('normaliseEnvelope on built bodies', () => {
  const status = (extra: Record<string, unknown> = {}) => ({
    id: 'wamid.A',
    status: 'delivered',
    timestamp: '1750000000',
    recipient_id: '5511999990000',
    ...extra,
  });
  const body = (changes: unknown[]) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W1', changes }] });
  const messages = (value: Record<string, unknown>) => ({ field: 'messages', value: { metadata: { phone_number_id: 'P1' }, ...value } });

  it('keeps unknown fields and classifies unknown change kinds as unknown', () => {
    const list = events(body([messages({ statuses: [status({ future_field: 7 })] }), { field: 'brand_new_thing', value: { x: 1 } }]));
    expect((list[0]?.raw as Record<string, unknown>).future_field).toBe(7);
    expect(list[1]).toMatchObject({ kind: 'unknown', field: 'brand_new_thing', atMs: RECEIVED });
    expect(list[1]?.dedupeKey).toBe(events(body([messages({}), { field: 'brand_new_thing', value: { x: 1 } }]))[0]?.dedupeKey);
  });

  it('names the JSON path of a bad timestamp in the second change', () => {
    const err = errorOf(() => events(body([messages({}), messages({ statuses: [status({ timestamp: 'soon' })] })])), InputError);
    expect(err.field).toBe('entry[0].changes[1].value.statuses[0].timestamp');
    expect(err.value).toBe('soon');
  });

  it('keeps unknown pricing categories, types and models, normalised and flagged, and the conversation', () => {
    const list = events(
      body([
        messages({
          statuses: [
            status({ pricing: { category: 'Meta Business Agent', type: 'regular', pricing_model: 'PMP' } }),
            status({ id: 'wamid.B', pricing: { category: 'utility', type: 'Per-Token', pricing_model: 'tokens' } }),
            status({ id: 'wamid.C', pricing: { category: 'authentication-international', type: 'regular' } }),
            status({
              id: 'wamid.D',
              conversation: { id: 'CONV', expiration_timestamp: '1750116480', origin: { type: 'Marketing' } },
              pricing: { category: 'marketing', type: 'regular', pricing_model: 'cbp' },
            }),
            status({ id: 'wamid.E', conversation: { id: 42, origin: 'odd' } }),
          ],
        }),
      ]),
    ) as StatusEvent[];
    expect(list.map((e) => e.pricing)).toEqual([
      { category: 'meta_business_agent', pricingType: 'regular', pricingModel: 'PMP', billable: null, known: false },
      { category: 'utility', pricingType: 'per_token', pricingModel: 'TOKENS', billable: null, known: false },
      { category: 'authentication_international', pricingType: 'regular', pricingModel: null, billable: null, known: true },
      { category: 'marketing', pricingType: 'regular', pricingModel: 'CBP', billable: null, known: true },
      null,
    ]);
    expect(list[3]?.conversation).toEqual({ id: 'CONV', originType: 'marketing', expiresAtMs: 1750116480000 });
    expect(list[4]?.conversation).toBeNull();
  });

  it('rejects a wrong object and non-JSON with the offending field', () => {
    expect(errorOf(() => events(JSON.stringify({ object: 'page', entry: [] })), InputError).field).toBe('object');
    expect(errorOf(() => events('{nope'), InputError).field).toBe('(body)');
  });

  it('reads a business-initiated terminate: user number from `to`, start time and duration', () => {
    const call = {
      id: 'wacid.X',
      event: 'terminate',
      direction: 'BUSINESS_INITIATED',
      from: '5511300000',
      to: '5511999990000',
      timestamp: '1750000300',
      start_time: '1750000100',
      duration: 200,
      status: ['COMPLETED'],
    };
    const [e] = events(body([{ field: 'calls', value: { metadata: { phone_number_id: 'P1' }, calls: [call] } }]));
    expect(e).toMatchObject({
      kind: 'call',
      direction: 'business_initiated',
      userNumber: '5511999990000',
      startMs: 1750000100000,
      durationSec: 200,
      atMs: 1750000300000,
    });
  });

  it('takes inbound messages with their ad referral', () => {
    const [e] = events(
      body([messages({ messages: [{ id: 'wamid.IN', from: '5511', timestamp: '1750000000', referral: { source_id: 'ad-9' } }] })]),
    );
    expect(e).toMatchObject({ kind: 'inbound', dedupeKey: 'inbound:wamid.IN', referralSourceId: 'ad-9' });
  });
});
