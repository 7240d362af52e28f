import {
  classifyTimeline,
  CATEGORIES,
  CSW_MS,
  FEP_MS,
  PRICING_MODELS,
  PRICING_TYPES,
  type Category,
  type MetaPricing,
  type PricingModel,
  type PricingType,
  type TimelineEvent,
} from '@core';
import type { WebhookEvent } from '../ingest';
import { INFERRED_CONVERSATION, type MessageState } from './message-state';

/*
 * Verdicts for delivered messages whose statuses carry no `pricing` (replayed or imported logs, older
 * API versions): core's window classifier run on the same contact's stored window openers (inbound
 * messages, ad referrals, calls) and outbound messages. Meta's verdict replaces an inferred one
 * whenever a status with pricing arrives (message-state.ts).
 */

/** A stored event that opens a customer service window (or, with a referral, may open a free entry point window). */
export interface ContactEvent {
  phoneNumberId: string;
  contact: string;
  atMs: number;
  kind: 'inbound_message' | 'user_call' | 'business_call_accepted';
  id: string;
  referral: boolean;
}

/**
 * How far back a message's verdict can depend on: a free entry point window opens with the first reply
 * within 24 h of a referral and lasts 72 h; customer service windows and CBP conversations last 24 h.
 */
export const LOOKBACK_MS = CSW_MS + FEP_MS;

/**
 * At most this many of the contact's outbound messages before a target (the most recent ones) take
 * part in its classification. Without a bound, a body of thousands of pricing-less statuses to one
 * contact costs thousands x thousands of timeline events and its acknowledgement times out; a contact
 * with more messages than this in LOOKBACK_MS is a bulk log, where older ones no longer open windows
 * the newer ones do not.
 */
export const MAX_OUTBOUND_CONSIDERED = 128;

export function contactEventOf(e: WebhookEvent): ContactEvent | null {
  if (e.kind === 'inbound')
    return {
      phoneNumberId: e.phoneNumberId ?? '',
      contact: e.from,
      atMs: e.atMs,
      kind: 'inbound_message',
      id: e.messageId,
      referral: e.referral,
    };
  if (e.kind === 'call' && e.event === 'connect' && e.userNumber) {
    const kind = e.direction === 'business_initiated' ? 'business_call_accepted' : 'user_call';
    return { phoneNumberId: e.phoneNumberId ?? '', contact: e.userNumber, atMs: e.atMs, kind, id: e.callId, referral: false };
  }
  return null;
}

const isCategory = (v: string | null): v is Category => v !== null && (CATEGORIES as readonly string[]).includes(v);
const isType = (v: string | null): v is PricingType => v !== null && (PRICING_TYPES as readonly string[]).includes(v);
const isModel = (v: string | null): v is PricingModel => v !== null && (PRICING_MODELS as readonly string[]).includes(v);

/**
 * What a status tells about the message itself: `conversation.origin.type` names the conversation's
 * category (a template category, or service for a reply). Without it we cannot tell a template from a reply.
 */
function hintOf(s: MessageState): { isTemplate: boolean; templateCategory?: Category } | null {
  const origin = s.conversationOrigin;
  if (!isCategory(origin)) return null;
  if (origin === 'service' || origin === 'referral_conversion') return { isTemplate: false };
  return { isTemplate: true, templateCategory: origin };
}

function outboundEvent(s: MessageState): TimelineEvent | null {
  if (s.deliveredAtMs === null) return null;
  if (s.verdictSource === 'meta') {
    if (!isCategory(s.category) || !isType(s.pricingType)) return null;
    const pricing: MetaPricing = { category: s.category, pricingType: s.pricingType };
    if (isModel(s.pricingModel)) pricing.pricingModel = s.pricingModel;
    if (s.conversationId && !s.conversationId.startsWith(INFERRED_CONVERSATION)) pricing.conversationId = s.conversationId;
    const isTemplate = !(s.category === 'service' || (s.pricingType === 'free_customer_service' && s.category !== 'utility'));
    return { kind: 'outbound_message', wamid: s.wamid, atMs: s.deliveredAtMs, isTemplate, pricing, status: 'delivered' };
  }
  const hint = hintOf(s) ?? { isTemplate: false };
  return { kind: 'outbound_message', wamid: s.wamid, atMs: s.deliveredAtMs, ...hint, status: 'delivered' };
}

export interface InferredVerdict {
  category: string;
  pricingType: string;
  pricingModel: string;
  /** CBP days: the conversation the classifier put the message in (prefixed, see INFERRED_CONVERSATION). */
  conversationId: string | null;
}

/**
 * The classifier's verdict for `target` (delivered, no Meta verdict) from the contact's events and
 * outbound messages of the LOOKBACK_MS before its delivery. A message without an origin hint outside
 * every window must have been a template (only templates can be sent there) of a category no status
 * named: it is counted under `unknown`, reported as unpriced, never dropped.
 */
export function inferVerdict(
  target: MessageState,
  contactEvents: readonly ContactEvent[],
  outbound: readonly MessageState[],
  timeZone: string,
): InferredVerdict | null {
  const at = target.deliveredAtMs;
  if (at === null) return null;
  const from = at - LOOKBACK_MS;
  const events: TimelineEvent[] = [];
  for (const c of contactEvents) {
    if (c.atMs < from || c.atMs > at) continue;
    events.push(
      c.kind === 'inbound_message'
        ? { kind: c.kind, id: c.id, atMs: c.atMs, referral: c.referral }
        : { kind: c.kind, id: c.id, atMs: c.atMs },
    );
  }
  let before = outbound.filter(
    (s) => s.wamid !== target.wamid && s.deliveredAtMs !== null && s.deliveredAtMs >= from && s.deliveredAtMs <= at,
  );
  if (before.length > MAX_OUTBOUND_CONSIDERED)
    before = before
      .sort((a, b) => (b.deliveredAtMs as number) - (a.deliveredAtMs as number) || (a.wamid < b.wamid ? 1 : a.wamid > b.wamid ? -1 : 0))
      .slice(0, MAX_OUTBOUND_CONSIDERED);
  for (const s of before) {
    const e = outboundEvent(s);
    if (e) events.push(e);
  }
  const hint = hintOf(target);
  events.push({
    kind: 'outbound_message',
    wamid: target.wamid,
    atMs: at,
    isTemplate: hint?.isTemplate ?? false,
    ...(hint?.templateCategory ? { templateCategory: hint.templateCategory } : {}),
    status: 'delivered',
  });
  const verdict = classifyTimeline(events, { timezone: timeZone }).find((c) => c.wamid === target.wamid);
  if (!verdict) return null;
  const conversationId =
    verdict.pricingModel === 'CBP' && verdict.conversationId ? `${INFERRED_CONVERSATION}${verdict.conversationId}` : null;
  if (hint === null && !verdict.cswOpen && !verdict.fepOpen)
    return { category: 'unknown', pricingType: 'regular', pricingModel: verdict.pricingModel, conversationId: null };
  return { category: verdict.category, pricingType: verdict.pricingType, pricingModel: verdict.pricingModel, conversationId };
}

/** The state with an inferred verdict applied (Meta's verdict, when present, is left alone). */
export function withInferred(s: MessageState, v: InferredVerdict | null): MessageState {
  if (s.verdictSource === 'meta' || v === null) return s;
  const keepMeta = s.conversationId !== null && !s.conversationId.startsWith(INFERRED_CONVERSATION);
  return {
    ...s,
    category: v.category,
    pricingType: v.pricingType,
    pricingModel: v.pricingModel,
    billable: null,
    verdictSource: 'inferred',
    conversationId: keepMeta ? s.conversationId : v.conversationId,
  };
}
