import type { Category, PricingModel, PricingType } from '@core';

export type EventKind = 'status' | 'inbound' | 'call' | 'account_update' | 'template_category' | 'unknown';

/** Meta's pricing verdict on a status; null fields when Meta omitted them. */
export interface PricingVerdict {
  category: Category;
  pricingType: PricingType | null;
  pricingModel: PricingModel | null;
  billable: boolean | null;
}

interface EventBase {
  /** Unique per real-world event: a replayed webhook yields the same key. */
  dedupeKey: string;
  wabaId: string;
  phoneNumberId: string | null;
  atMs: number;
  /** The JSON object the event came from (status, message, call or change value), unknown fields kept. */
  raw: unknown;
}

export interface StatusEvent extends EventBase {
  kind: 'status';
  wamid: string;
  status: string;
  recipient: string | null;
  pricing: PricingVerdict | null;
  group: string | null;
  errorCodes: number[];
}

export interface InboundEvent extends EventBase {
  kind: 'inbound';
  messageId: string;
  from: string;
  referralSourceId: string | null;
}

export interface CallEvent extends EventBase {
  kind: 'call';
  callId: string;
  event: string;
  direction: 'business_initiated' | 'user_initiated' | null;
  durationSec: number | null;
  /** The WhatsApp user's number: `from` on user-initiated calls, `to` on business-initiated ones. */
  userNumber: string | null;
  /** start_time when Meta sends it (terminate), else null. */
  startMs: number | null;
}

export interface OtherEvent extends EventBase {
  kind: 'account_update' | 'template_category' | 'unknown';
  field: string;
}

export type WebhookEvent = StatusEvent | InboundEvent | CallEvent | OtherEvent;
