/**
 * Builds WhatsApp Cloud API webhooks shaped like Meta's documented examples (status webhooks with
 * `conversation` and `pricing` on `sent` and on one of `delivered`/`read`), and signs them the way
 * Meta does (`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body, keyed with the app secret>`).
 * The reliability traffic is derived from a seed so a failing run can be replayed; the integration
 * suites wrap their own hand-written statuses and calls with `envelopeWithStatuses`/`envelopeWithCalls`.
 */
import crypto from 'node:crypto';

export const RELIABILITY_WABAS = [
  {
    id: '102290129340398',
    name: 'Reliability Retail',
    timezone: 'UTC',
    currency: 'USD',
    portfolio: 'p-rel',
    phones: ['106540352242922', '106540352242923'],
  },
  {
    id: '102290129340399',
    name: 'Reliability Brasil',
    timezone: 'America/Sao_Paulo',
    currency: 'USD',
    portfolio: 'p-rel',
    phones: ['106540352242924'],
  },
] as const;

export type StatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  wabaId: string;
  phoneNumberId: string;
  wamid: string;
  status: StatusName;
  timestampSec: number;
  recipient: string;
  category: string;
  pricingType: string;
  withPricing: boolean;
}

/** Deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CALLING_CODES = ['55', '91', '52', '234', '27', '62', '44', '49', '34', '39'];
const MIX: [string, string, number][] = [
  ['marketing', 'regular', 45],
  ['utility', 'regular', 20],
  ['authentication', 'regular', 15],
  ['service', 'free_customer_service', 12],
  ['utility', 'free_customer_service', 8],
];

/** Day range of generated traffic (PMP era, one fortnight): 2026-10-01T00:00Z plus up to 14 days. */
export const TRAFFIC_START_SEC = Date.UTC(2026, 9, 1) / 1000;
export const TRAFFIC_DAYS = 14;

/**
 * At least `minEvents` status events with unique (wamid, status): each message gets `sent` and
 * `delivered` (both priced) and a third also get `read`; one in 50 is `failed` after `sent` instead.
 */
export function buildStatusEvents(seed: number, minEvents: number, tag = 'R'): StatusEvent[] {
  const rand = seededRandom(seed);
  const events: StatusEvent[] = [];
  for (let i = 0; events.length < minEvents; i++) {
    const waba = RELIABILITY_WABAS[i % RELIABILITY_WABAS.length]!;
    const phoneNumberId = waba.phones[Math.floor(rand() * waba.phones.length)]!;
    const code = CALLING_CODES[Math.floor(rand() * CALLING_CODES.length)]!;
    const recipient = code + String(100_000_000 + Math.floor(rand() * 5_000_000));
    let pick = rand() * 100;
    let [category, pricingType] = ['marketing', 'regular'];
    for (const [c, t, w] of MIX) {
      if ((pick -= w) < 0) {
        [category, pricingType] = [c, t];
        break;
      }
    }
    const sent = TRAFFIC_START_SEC + Math.floor(rand() * TRAFFIC_DAYS * 86_400);
    const wamid = `wamid.${Buffer.from(`${tag}${seed}.${i}`).toString('base64url')}`;
    const base = { wabaId: waba.id, phoneNumberId, wamid, recipient, category, pricingType };
    events.push({ ...base, status: 'sent', timestampSec: sent, withPricing: true });
    if (rand() < 0.02) {
      events.push({ ...base, status: 'failed', timestampSec: sent + 1, withPricing: false });
      continue;
    }
    events.push({ ...base, status: 'delivered', timestampSec: sent + 2, withPricing: true });
    if (rand() < 1 / 3) events.push({ ...base, status: 'read', timestampSec: sent + 40, withPricing: false });
  }
  return events;
}

function statusObject(e: StatusEvent): Record<string, unknown> {
  const s: Record<string, unknown> = { id: e.wamid, status: e.status, timestamp: String(e.timestampSec), recipient_id: e.recipient };
  if (e.withPricing) {
    s.conversation = { id: crypto.createHash('md5').update(e.wamid).digest('hex'), origin: { type: e.category } };
    if (e.status === 'sent') (s.conversation as Record<string, unknown>).expiration_timestamp = String(e.timestampSec + 86_400);
    s.pricing = { billable: e.pricingType === 'regular', pricing_model: 'PMP', type: e.pricingType, category: e.category };
  }
  if (e.status === 'failed') {
    s.errors = [
      {
        code: 131049,
        title: 'This message was not delivered to maintain healthy ecosystem engagement.',
        message: 'This message was not delivered to maintain healthy ecosystem engagement.',
        error_data: { details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ];
  }
  return s;
}

/** The WABA and business phone number a webhook comes from (`entry[].id` and Meta's `metadata`). */
export interface WebhookSender {
  waba: string;
  phone: string;
  /** `display_phone_number`: each suite writes its own, as the connector may show it. */
  display: string;
}

/**
 * Meta's Cloud API wrapper around one change from one phone number. The objects inside are the
 * caller's: each suite states exactly the status or call fields its figures depend on.
 */
function envelopeOf(from: WebhookSender, field: 'messages' | 'calls', items: Record<string, readonly object[]>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: from.waba,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: from.display, phone_number_id: from.phone },
              ...items,
            },
          },
        ],
      },
    ],
  };
}

/** A `messages` webhook carrying these message statuses. */
export const envelopeWithStatuses = (from: WebhookSender, statuses: readonly object[]) => envelopeOf(from, 'messages', { statuses });

/** A `calls` webhook carrying these call events. */
export const envelopeWithCalls = (from: WebhookSender, calls: readonly object[]) => envelopeOf(from, 'calls', { calls });

/** One Cloud API envelope carrying statuses of one phone number (all events must share WABA and phone). */
export function statusEnvelope(events: readonly StatusEvent[]): Record<string, unknown> {
  const first = events[0];
  if (!first) throw new Error('statusEnvelope needs at least one event');
  const from = { waba: first.wabaId, phone: first.phoneNumberId, display: `1555${first.phoneNumberId.slice(-7)}` };
  return envelopeWithStatuses(from, events.map(statusObject));
}

/** One body per event (what Meta usually sends), as JSON text. */
export function statusBodies(events: readonly StatusEvent[]): string[] {
  return events.map((e) => JSON.stringify(statusEnvelope([e])));
}

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Delivered messages and charged units the events imply, per WABA-agnostic totals (for sanity checks). */
export function expectedTotals(events: readonly StatusEvent[]): { messages: number; billable: number } {
  const byWamid = new Map<string, Set<StatusName>>();
  const regular = new Set<string>();
  for (const e of events) {
    let set = byWamid.get(e.wamid);
    if (!set) byWamid.set(e.wamid, (set = new Set()));
    set.add(e.status);
    if (e.pricingType === 'regular') regular.add(e.wamid);
  }
  let messages = 0;
  let billable = 0;
  for (const [wamid, set] of byWamid) {
    if (set.has('delivered') || set.has('read')) {
      messages++;
      if (regular.has(wamid)) billable++;
    }
  }
  return { messages, billable };
}

/**
 * Meta's webhook for one delivered, charged utility message from WABA W1 (number P1) to a Brazilian
 * number at `iso`: the one-message fixture of the connector suites whose figures are counted by hand.
 */
export const deliveredUtilityToBrazil = (wamid: string, iso: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'W1',
      changes: [
        {
          field: 'messages',
          value: {
            metadata: { phone_number_id: 'P1' },
            statuses: [
              {
                id: wamid,
                status: 'delivered',
                timestamp: String(Date.parse(iso) / 1000),
                recipient_id: '5511987654321',
                pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
              },
            ],
          },
        },
      ],
    },
  ],
});
