export type EventKind = 'status' | 'inbound' | 'call' | 'account_update' | 'template_category' | 'unknown';

/**
 * Meta's pricing verdict on a status; null fields when Meta omitted them. Values we do not know yet
 * (a category Meta added, a new type or model) are kept, normalised (categories and types lower
 * snake case, models upper case), with `known` false: the status is stored and counted, never refused.
 */
export interface PricingVerdict {
  /** Our spelling of a known category (core's Category), else the raw value in lower snake case. */
  category: string;
  pricingType: string | null;
  pricingModel: string | null;
  billable: boolean | null;
  /** False when the category, type or model is one core does not know (the message cannot be priced). */
  known: boolean;
}

/** The status's `conversation` object: CBP conversations (and FEP windows) and their origin category. */
export interface ConversationInfo {
  id: string | null;
  /** `conversation.origin.type`, normalised like a category (lower snake case). */
  originType: string | null;
  /** `expiration_timestamp` (only on `sent`), epoch ms. */
  expiresAtMs: number | null;
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
  conversation: ConversationInfo | null;
  group: string | null;
  errorCodes: number[];
}

export interface InboundEvent extends EventBase {
  kind: 'inbound';
  messageId: string;
  from: string;
  referralSourceId: string | null;
  /** True when the message came through a click-to-WhatsApp ad or Page CTA (it has a `referral`). */
  referral: boolean;
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
