import type { DemoWaba } from './demo-wabas';
import { Rng } from './rng';
import type { SimCall, SimEvent, SimInbound, SimStatus } from './sim-events';

/** A Cloud API webhook body as Meta (or 360Dialog) posts it to /webhooks/whatsapp. */
export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: { id: string; time?: number; changes: { field: string; value: Record<string, unknown> }[] }[];
}

export interface DemoEnvelope {
  /** When Meta would post it (epoch ms). */
  atMs: number;
  wabaId: string;
  envelope: WebhookEnvelope;
}

const sec = (ms: number) => String(Math.floor(ms / 1000));
const digits = (display: string) => display.replace(/\D/g, '');

function metadata(waba: DemoWaba, phoneIndex: number) {
  const phone = waba.phones[phoneIndex] as DemoWaba['phones'][number];
  return { display_phone_number: digits(phone.display), phone_number_id: phone.id };
}

function statusObject(e: SimStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { id: e.wamid, status: e.status, timestamp: sec(e.atMs), recipient_id: e.recipient };
  if (e.tag) out.biz_opaque_callback_data = e.tag;
  // v24+: `conversation` only inside a free entry point window; its expiration only on `sent`.
  if (e.fep)
    out.conversation = {
      id: e.fep.id,
      ...(e.fep.untilMs ? { expiration_timestamp: sec(e.fep.untilMs) } : {}),
      origin: { type: 'referral_conversion' },
    };
  if (e.pricing)
    out.pricing = { billable: e.pricing.type === 'regular', pricing_model: 'PMP', type: e.pricing.type, category: e.pricing.category };
  if (e.error) {
    out.errors = [
      {
        code: e.error.code,
        title: e.error.title,
        message: e.error.title,
        error_data: { details: e.error.title },
        href: '/documentation/business-messaging/whatsapp/support/error-codes',
      },
    ];
  }
  return out;
}

function inboundValue(waba: DemoWaba, e: SimInbound): Record<string, unknown> {
  const message: Record<string, unknown> = { from: e.from, id: e.wamid, timestamp: sec(e.atMs), type: 'text', text: { body: e.text } };
  if (e.referral) {
    message.referral = {
      source_url: `https://fb.me/demo-ad-${e.referral.adId}`,
      source_id: e.referral.adId,
      source_type: 'ad',
      headline: e.referral.headline,
      body: 'Tap to chat with us on WhatsApp',
      media_type: 'image',
      image_url: 'https://example.invalid/ad.jpg',
      ctwa_clid: e.referral.ctwaClid,
    };
  }
  return {
    messaging_product: 'whatsapp',
    metadata: metadata(waba, e.phoneIndex),
    contacts: [{ profile: { name: e.name }, wa_id: e.from }],
    messages: [message],
  };
}

function callValue(waba: DemoWaba, e: SimCall): Record<string, unknown> {
  const business = metadata(waba, e.phoneIndex).display_phone_number;
  const userInitiated = e.direction === 'user_initiated';
  const call: Record<string, unknown> = {
    id: e.callId,
    to: userInitiated ? business : e.user,
    from: userInitiated ? e.user : business,
    event: e.event,
    timestamp: sec(e.atMs),
  };
  if (e.event === 'connect') {
    if (!userInitiated) call.direction = 'BUSINESS_INITIATED';
    call.session = { sdp_type: userInitiated ? 'offer' : 'answer', sdp: 'v=0 (demo SDP omitted)' };
  } else {
    call.direction = userInitiated ? 'USER_INITIATED' : 'BUSINESS_INITIATED';
    call.status = e.status;
    if (e.startMs !== undefined) call.start_time = sec(e.startMs);
    if (e.endMs !== undefined) call.end_time = sec(e.endMs);
    call.duration = e.durationSec ?? 0;
  }
  return { messaging_product: 'whatsapp', metadata: metadata(waba, e.phoneIndex), calls: [call] };
}

function wrap(wabaId: string, field: string, value: Record<string, unknown>, time?: number): WebhookEnvelope {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, ...(time !== undefined ? { time } : {}), changes: [{ value, field }] }],
  };
}

function single(wabas: readonly DemoWaba[], e: Exclude<SimEvent, SimStatus>): DemoEnvelope {
  const waba = wabas[e.wabaIndex] as DemoWaba;
  const time = Math.floor(e.atMs / 1000);
  switch (e.kind) {
    case 'inbound':
      return { atMs: e.arrivalMs, wabaId: waba.id, envelope: wrap(waba.id, 'messages', inboundValue(waba, e)) };
    case 'call':
      return { atMs: e.arrivalMs, wabaId: waba.id, envelope: wrap(waba.id, 'calls', callValue(waba, e)) };
    case 'tier':
      return {
        atMs: e.arrivalMs,
        wabaId: waba.id,
        envelope: wrap(
          waba.id,
          'account_update',
          {
            volume_tier_info: {
              tier_update_time: time,
              pricing_category: e.category,
              tier: e.tier,
              effective_month: e.month,
              region: e.region,
            },
            event: 'VOLUME_BASED_PRICING_TIER_UPDATE',
          },
          time,
        ),
      };
    case 'template_category':
      return {
        atMs: e.arrivalMs,
        wabaId: waba.id,
        envelope: wrap(
          waba.id,
          'template_category_update',
          {
            message_template_id: Number(e.templateId),
            message_template_name: e.name,
            message_template_language: e.language,
            previous_category: e.previous,
            new_category: e.next,
          },
          time,
        ),
      };
  }
}

/**
 * Wraps simulated events as webhook envelopes. Statuses of one phone number that arrive within two
 * seconds of each other are batched 1-4 per envelope, as Meta does under load; everything else goes
 * one per envelope.
 */
export function* toEnvelopes(events: Iterable<SimEvent>, wabas: readonly DemoWaba[], seed: string): Generator<DemoEnvelope> {
  const rng = new Rng(`${seed}|batches`);
  const open = new Map<string, { statuses: SimStatus[]; target: number }>();
  // A batch is posted when it is closed, so its time is never before an envelope already posted.
  let now = 0;
  const envelopeOf = (statuses: SimStatus[]): DemoEnvelope => {
    const first = statuses[0] as SimStatus;
    const waba = wabas[first.wabaIndex] as DemoWaba;
    const value = { messaging_product: 'whatsapp', metadata: metadata(waba, first.phoneIndex), statuses: statuses.map(statusObject) };
    return {
      atMs: Math.max(now, (statuses[statuses.length - 1] as SimStatus).arrivalMs),
      wabaId: waba.id,
      envelope: wrap(waba.id, 'messages', value),
    };
  };
  function* flushOlderThan(atMs: number): Generator<DemoEnvelope> {
    for (const [key, batch] of open) {
      if ((batch.statuses[0] as SimStatus).arrivalMs < atMs) {
        open.delete(key);
        yield envelopeOf(batch.statuses);
      }
    }
  }
  for (const e of events) {
    now = e.arrivalMs;
    yield* flushOlderThan(e.arrivalMs - 2000);
    if (e.kind !== 'status') {
      yield single(wabas, e);
      continue;
    }
    const key = `${e.wabaIndex}|${e.phoneIndex}`;
    let batch = open.get(key);
    if (!batch) {
      batch = {
        statuses: [],
        target: rng.weighted([
          [1, 2],
          [2, 3],
          [3, 3],
          [4, 2],
        ] as const),
      };
      open.set(key, batch);
    }
    batch.statuses.push(e);
    if (batch.statuses.length >= batch.target) {
      open.delete(key);
      yield envelopeOf(batch.statuses);
    }
  }
  yield* flushOlderThan(Number.POSITIVE_INFINITY);
}
