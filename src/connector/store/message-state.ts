import { InputError, localDay, marketOf, OTHER_MARKET, pricingModelOnDay, type MarketInfo } from '@core';
import type { StatusEvent } from '../ingest';

/** What the store keeps per outbound message (wamid), folded from its statuses in any arrival order. */
export interface MessageState {
  wamid: string;
  wabaId: string;
  phoneNumberId: string | null;
  recipient: string | null;
  group: string | null;
  deliveredAtMs: number | null;
  failedAtMs: number | null;
  category: string | null;
  pricingType: string | null;
  pricingModel: string | null;
  billable: boolean | null;
  /** 'meta' when a status carried pricing, 'inferred' when the window classifier gave it, null = no verdict yet. */
  verdictSource: 'meta' | 'inferred' | null;
  conversationId: string | null;
  /** `conversation.origin.type` (lower snake case): the category a CBP conversation is charged in. */
  conversationOrigin: string | null;
  conversationExpiresMs: number | null;
}

/** The usage_daily key a message is counted under; '' = unknown (so it can be part of a primary key). */
export interface UsageKey {
  day: string;
  wabaId: string;
  phoneNumberId: string;
  country: string;
  market: string;
  category: string;
  pricingType: string;
  pricingModel: string;
  group: string;
}

/** Prefix of conversation ids the window classifier made up (CBP days): Meta's own id replaces them. */
export const INFERRED_CONVERSATION = 'inferred:';

const minOf = (a: number | null, b: number) => (a === null ? b : Math.min(a, b));

/** Folds one status into the message state. `read` implies delivered (Meta may drop or delay `delivered`). */
export function foldStatus(prev: MessageState | null, e: StatusEvent): MessageState {
  const s: MessageState = prev
    ? { ...prev }
    : {
        wamid: e.wamid,
        wabaId: e.wabaId,
        phoneNumberId: null,
        recipient: null,
        group: null,
        deliveredAtMs: null,
        failedAtMs: null,
        category: null,
        pricingType: null,
        pricingModel: null,
        billable: null,
        verdictSource: null,
        conversationId: null,
        conversationOrigin: null,
        conversationExpiresMs: null,
      };
  s.phoneNumberId ??= e.phoneNumberId;
  s.recipient ??= e.recipient;
  s.group ??= e.group;
  if (e.status === 'delivered' || e.status === 'read') s.deliveredAtMs = minOf(s.deliveredAtMs, e.atMs);
  if (e.status === 'failed') s.failedAtMs = minOf(s.failedAtMs, e.atMs);
  if (e.pricing && s.verdictSource !== 'meta') {
    // Meta's verdict replaces an inferred one whenever it arrives, with the conversation the classifier made up.
    if (s.conversationId?.startsWith(INFERRED_CONVERSATION)) s.conversationId = null;
    s.category = e.pricing.category;
    s.pricingType = e.pricing.pricingType;
    s.pricingModel = e.pricing.pricingModel;
    s.billable = e.pricing.billable;
    s.verdictSource = 'meta';
  } else if (e.pricing) {
    // The first of Meta's verdicts wins; later statuses only fill what an earlier one left out.
    s.category ??= e.pricing.category;
    s.pricingType ??= e.pricing.pricingType;
    s.pricingModel ??= e.pricing.pricingModel;
    s.billable ??= e.pricing.billable;
  }
  if (e.conversation) {
    if (s.conversationId === null || s.conversationId.startsWith(INFERRED_CONVERSATION))
      s.conversationId = e.conversation.id ?? s.conversationId;
    s.conversationOrigin ??= e.conversation.originType;
    s.conversationExpiresMs ??= e.conversation.expiresAtMs;
  }
  return s;
}

/** The CBP conversation whose unit a counted message belongs to, or null when the message is its own unit. */
export function conversationOf(s: MessageState, key: UsageKey | null): string | null {
  return key !== null && key.pricingModel === 'CBP' && s.conversationId ? s.conversationId : null;
}

/**
 * Charged units a counted message adds under its own key: 1 (PMP: a message is a unit; CBP without a
 * conversation id: its own conversation), or 0 when its CBP conversation carries the unit.
 */
export function unitsOf(s: MessageState, key: UsageKey | null): number {
  if (key === null) return 0;
  return conversationOf(s, key) === null ? 1 : 0;
}

/** One CBP conversation as stored (conversations table). */
export interface ConversationState {
  wabaId: string;
  conversationId: string;
  origin: string | null;
  firstAtMs: number | null;
  firstWamid: string | null;
  /** JSON usage key of the earliest delivered message. */
  baseKey: string | null;
  /** JSON usage key its unit is counted under (null = not counted yet). */
  countedKey: string | null;
}

/**
 * Folds a counted message into its CBP conversation (Meta: one charge per conversation, on the day of
 * its first delivered message, in the category of its origin). The earliest delivery wins, ties by
 * wamid, so duplicates and any arrival order give the same unit; a later-arriving earlier message moves it.
 */
export function foldConversation(prev: ConversationState | null, s: MessageState, key: UsageKey): ConversationState {
  const c: ConversationState = prev
    ? { ...prev }
    : {
        wabaId: s.wabaId,
        conversationId: s.conversationId ?? '',
        origin: null,
        firstAtMs: null,
        firstWamid: null,
        baseKey: null,
        countedKey: null,
      };
  c.origin ??= s.conversationOrigin;
  const at = s.deliveredAtMs as number;
  const earlier = c.firstAtMs === null || at < c.firstAtMs || (at === c.firstAtMs && s.wamid < (c.firstWamid ?? ''));
  if (earlier || c.firstWamid === s.wamid) {
    c.firstAtMs = at;
    c.firstWamid = s.wamid;
    c.baseKey = JSON.stringify(keyValues(key));
  }
  if (c.baseKey !== null) {
    const base = keyFromValues(JSON.parse(c.baseKey) as string[]);
    c.countedKey = JSON.stringify(keyValues({ ...base, category: c.origin ?? base.category }));
  }
  return c;
}

/**
 * A recipient that is not a phone number (Meta's business-scoped user ids, groups) still counts,
 * under market Other: failing the webhook would make Meta retry it forever and lose the event.
 */
function marketOfRecipient(recipient: string | null, day: string): MarketInfo | null {
  if (recipient === null) return null;
  try {
    return marketOf(recipient, day, 'recipient_id');
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

/**
 * The key a message counts under, or null while it must not count: it needs both a delivery (or
 * read) and Meta's pricing verdict. A failed message that is never delivered never counts.
 */
export function usageKeyOf(s: MessageState, timeZone: string): UsageKey | null {
  if (s.deliveredAtMs === null || s.category === null) return null;
  const day = localDay(s.deliveredAtMs, timeZone);
  const market = marketOfRecipient(s.recipient, day);
  return {
    day,
    wabaId: s.wabaId,
    phoneNumberId: s.phoneNumberId ?? '',
    country: market?.iso2 ?? '',
    market: market?.market ?? OTHER_MARKET,
    category: s.category,
    pricingType: s.pricingType ?? '',
    pricingModel: s.pricingModel ?? pricingModelOnDay(day),
    group: s.group ?? '',
  };
}

export const USAGE_KEY_COLUMNS = [
  'day',
  'waba_id',
  'phone_number_id',
  'country',
  'market',
  'category',
  'pricing_type',
  'pricing_model',
  'grp',
] as const;

export function keyValues(k: UsageKey): string[] {
  return [k.day, k.wabaId, k.phoneNumberId, k.country, k.market, k.category, k.pricingType, k.pricingModel, k.group];
}

/** Inverse of keyValues, for a key stored as its JSON array. */
export function keyFromValues(v: readonly string[]): UsageKey {
  const at = (i: number) => v[i] ?? '';
  return {
    day: at(0),
    wabaId: at(1),
    phoneNumberId: at(2),
    country: at(3),
    market: at(4),
    category: at(5),
    pricingType: at(6),
    pricingModel: at(7),
    group: at(8),
  };
}

/** Columns of usage_pricing: the usage key without phone, country and group (what prices depend on). */
export const PRICING_KEY_COLUMNS = ['day', 'waba_id', 'market', 'category', 'pricing_type', 'pricing_model'] as const;

/** The usage_pricing key values of a usage key (same order as PRICING_KEY_COLUMNS). */
export function pricingKeyValues(k: UsageKey): string[] {
  return [k.day, k.wabaId, k.market, k.category, k.pricingType, k.pricingModel];
}
