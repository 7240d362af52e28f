import { InputError } from '../errors';
import {
  CATEGORIES,
  PRICING_TYPES,
  normaliseCategory,
  normalisePricingType,
  toCategory,
  type Category,
  type PricingModel,
  type UsageCategory,
  type UsagePricingType,
} from '../model/category';

/**
 * Meta's `pricing` object from a status webhook, the authoritative verdict. Values we do not know
 * (a new category such as Meta Business Agent's) are kept in lower snake case, never refused.
 */
export interface MetaPricing {
  category: UsageCategory;
  pricingType: UsagePricingType;
  pricingModel?: PricingModel;
  /** CBP (and v24+ FEP) conversation id, when the webhook had one. */
  conversationId?: string;
}

export type OutboundStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** One contact's history as the classifier sees it. Events may be unsorted and repeated. */
export type TimelineEvent =
  /** `referral: true` when it came from a Click-to-WhatsApp ad or a Facebook Page call-to-action. */
  | { kind: 'inbound_message'; id: string; atMs: number; referral?: boolean }
  | { kind: 'user_call'; id: string; atMs: number }
  /** The user accepted a business-initiated call (opens/refreshes the CSW like a user call). */
  | { kind: 'business_call_accepted'; id: string; atMs: number }
  | {
      kind: 'outbound_message';
      wamid: string;
      atMs: number;
      isTemplate: boolean;
      templateCategory?: Category;
      pricing?: MetaPricing;
      /** A status seen for it; one event per status is fine (they are merged by wamid). Missing = delivered. */
      status?: OutboundStatus;
    };

export type OutboundEvent = Extract<TimelineEvent, { kind: 'outbound_message' }>;

const KINDS = new Set(['inbound_message', 'user_call', 'business_call_accepted', 'outbound_message']);
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);
const canonical = new Set<string>(CATEGORIES);
const canonicalTypes = new Set<string>(PRICING_TYPES);

/** Validates events and returns copies with categories in our single spelling. */
export function normalizeEvents(events: readonly TimelineEvent[], field = 'events'): TimelineEvent[] {
  if (!Array.isArray(events)) throw new InputError(field, events, 'must be an array of timeline events');
  return events.map((event, i) => {
    const at = (name: string) => `${field}[${i}].${name}`;
    if (event === null || typeof event !== 'object' || !KINDS.has(event.kind)) {
      throw new InputError(at('kind'), (event as { kind?: unknown } | null)?.kind, `must be one of ${[...KINDS].join(', ')}`);
    }
    if (typeof event.atMs !== 'number' || !Number.isFinite(event.atMs))
      throw new InputError(at('atMs'), event.atMs, 'must be epoch milliseconds');
    if (event.kind !== 'outbound_message') {
      if (typeof event.id !== 'string' || event.id === '') throw new InputError(at('id'), event.id, 'must be a non-empty string');
      return event;
    }
    if (typeof event.wamid !== 'string' || event.wamid === '') throw new InputError(at('wamid'), event.wamid, 'must be a non-empty string');
    if (event.status !== undefined && !STATUSES.has(event.status))
      throw new InputError(at('status'), event.status, 'must be sent, delivered, read or failed');
    // Omitted reads as a free-form message; anything but a boolean is refused, not guessed.
    if (event.isTemplate !== undefined && typeof event.isTemplate !== 'boolean')
      throw new InputError(at('isTemplate'), event.isTemplate, 'must be true (a template) or false (a free-form message)');
    const templateOk = event.templateCategory === undefined || canonical.has(event.templateCategory);
    const pricingOk = !event.pricing || (canonical.has(event.pricing.category) && canonicalTypes.has(event.pricing.pricingType));
    if (templateOk && pricingOk && typeof event.isTemplate === 'boolean') return event; // the common case: nothing to copy
    const out: OutboundEvent = { ...event, isTemplate: event.isTemplate === true };
    if (event.templateCategory !== undefined) out.templateCategory = toCategory(event.templateCategory, at('templateCategory'));
    if (event.pricing) {
      out.pricing = {
        ...event.pricing,
        category: normaliseCategory(event.pricing.category, at('pricing.category')).category,
        pricingType: normalisePricingType(event.pricing.pricingType, at('pricing.pricingType')).pricingType,
      };
    }
    return out;
  });
}
