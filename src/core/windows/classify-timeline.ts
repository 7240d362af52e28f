import { InputError } from '../errors';
import {
  isKnownCategory,
  rateColumnOf,
  type Category,
  type PricingModel,
  type PricingType,
  type UsageCategory,
  type UsagePricingType,
} from '../model/category';
import { PRICING_RULES, rulesOn, type PricingRuleRow } from '../rules/pricing-rules';
import { localDay } from '../time/local-time';
import { assertTimeZone } from '../time/zone-offset';
import { normalizeEvents, type OutboundEvent, type TimelineEvent } from './timeline-events';

export const CSW_MS = 24 * 3_600_000;
export const FEP_MS = 72 * 3_600_000;
/** CBP conversations last 24h from the message that opened them. */
export const CONVERSATION_MS = 24 * 3_600_000;

/** The verdict for one outbound message (one per wamid, however many status events it had). */
export interface Classification {
  wamid: string;
  atMs: number;
  /** WABA-local day of the send. */
  day: string;
  pricingModel: PricingModel;
  /** Meta's category when it sent one (possibly one we do not know yet, lower snake case), else the inferred one. */
  category: UsageCategory;
  pricingType: UsagePricingType;
  /** 'meta' when the message carried Meta's pricing object, else 'inferred' from the window rules. */
  source: 'meta' | 'inferred';
  /** What the window rules give, even when Meta's verdict is used (for drift checks). */
  inferredCategory: Category;
  inferredPricingType: PricingType;
  /** Delivered or read (Meta charges on delivery); false for sent-only and failed messages. */
  delivered: boolean;
  /**
   * Delivered and billable by the verdict (CBP: opens a charged conversation; the 1,000 free service
   * conversations are applied by priceUsage). A `regular` verdict on a category we do not know is
   * charged (Meta says so), though priceUsage cannot price it.
   */
  charged: boolean;
  cswOpen: boolean;
  fepOpen: boolean;
  /** CBP and FEP: Meta's conversation id, or `<opening wamid>:<category>` when inferred. */
  conversationId: string | null;
  /** True for the first message of its conversation in this timeline (CBP units are conversations). */
  opensConversation: boolean;
}

interface Merged extends OutboundEvent {
  delivered: boolean;
}

function mergeOutbound(events: OutboundEvent[]): Merged[] {
  const byWamid = new Map<string, Merged>();
  for (const e of events) {
    const seen = byWamid.get(e.wamid);
    const delivers = e.status === undefined || e.status === 'delivered' || e.status === 'read';
    if (!seen) {
      // Built field by field: object spread costs several times more on millions of events.
      const merged: Merged = { kind: 'outbound_message', wamid: e.wamid, atMs: e.atMs, isTemplate: e.isTemplate, delivered: delivers };
      if (e.templateCategory !== undefined) merged.templateCategory = e.templateCategory;
      if (e.pricing !== undefined) merged.pricing = e.pricing;
      byWamid.set(e.wamid, merged);
      continue;
    }
    seen.atMs = Math.min(seen.atMs, e.atMs);
    seen.delivered ||= delivers;
    seen.isTemplate ||= e.isTemplate;
    seen.templateCategory ??= e.templateCategory;
    seen.pricing ??= e.pricing;
  }
  return [...byWamid.values()];
}

interface Entry {
  atMs: number;
  rank: number;
  id: string;
  event: TimelineEvent;
}

function entryOf(event: TimelineEvent): Entry {
  const outbound = event.kind === 'outbound_message';
  return { atMs: event.atMs, rank: outbound ? 1 : 0, id: outbound ? event.wamid : event.id, event };
}

/**
 * Classifies one contact's outbound messages from the contact's event history (Meta pricing page
 * rules): each inbound message, user call or accepted business call opens/refreshes a 24h customer
 * service window (the business's own messages never do); the business's first delivered reply
 * within 24h of an ad/CTA referral opens a 72h free entry point window from the reply, in which
 * every message (that reply included) is free_entry_point / referral_conversion, the category
 * Meta's status webhooks carry for FEP. Under PMP, non-template messages are free_customer_service /
 * service and utility templates inside an open CSW are free_customer_service / utility; other
 * templates are regular. Under CBP, a message opens a 24h conversation of its category unless one is
 * open (non-template messages join any open conversation, else open a service one).
 * Meta's `pricing`, when present, is the verdict (source 'meta').
 */
export function classifyTimeline(
  events: readonly TimelineEvent[],
  options: { timezone: string; rules?: readonly PricingRuleRow[] },
): Classification[] {
  const timezone = assertTimeZone(options.timezone, 'timezone');
  const table = options.rules ?? PRICING_RULES;
  const normalized = normalizeEvents(events);
  const outbound = mergeOutbound(normalized.filter((e): e is OutboundEvent => e.kind === 'outbound_message'));
  const timeline: Entry[] = [];
  for (const e of normalized) if (e.kind !== 'outbound_message') timeline.push(entryOf(e));
  for (const m of outbound) timeline.push(entryOf(m));
  timeline.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  let cswUntil = Number.NEGATIVE_INFINITY;
  let referralUntil = Number.NEGATIVE_INFINITY;
  let fepUntil = Number.NEGATIVE_INFINITY;
  let fepId: string | null = null;
  const conversations = new Map<Category, { until: number; id: string; openedMs: number }>();
  const metaConversations = new Set<string>();
  const out: Classification[] = [];

  for (const { event } of timeline) {
    if (event.kind !== 'outbound_message') {
      cswUntil = Math.max(cswUntil, event.atMs + CSW_MS);
      if (event.kind === 'inbound_message' && event.referral) referralUntil = event.atMs + CSW_MS;
      continue;
    }
    const m = event as Merged;
    const day = localDay(m.atMs, timezone);
    const rules = rulesOn(day, table);
    const cswOpen = m.atMs < cswUntil;
    let category: Category = m.isTemplate ? (m.templateCategory ?? knownOrMissing(m)) : 'service';
    let model: PricingModel = m.pricing?.pricingModel ?? rules.pricingModel;
    // Meta's edge case: a CBP conversation still open at the PMP switch keeps later templates of its
    // category inside it (free, pricing_model CBP) until it expires.
    if (model === 'PMP' && !m.pricing?.pricingModel && m.isTemplate && (conversations.get(category)?.until ?? 0) > m.atMs) model = 'CBP';
    let pricingType: PricingType = 'regular';
    let conversationId: string | null = null;
    let opens = false;

    if (m.atMs >= fepUntil && m.atMs < referralUntil && m.delivered) {
      fepUntil = m.atMs + FEP_MS;
      fepId = `${m.wamid}:referral_conversion`;
      referralUntil = Number.NEGATIVE_INFINITY;
      opens = true;
    }
    const fepOpen = m.atMs < fepUntil;
    if (fepOpen && rules.freeInFep) {
      category = 'referral_conversion';
      pricingType = 'free_entry_point';
      conversationId = fepId;
    } else if (model === 'PMP') {
      // Non-template messages can only be sent inside an open CSW; which categories are free there is dated.
      if (!m.isTemplate) pricingType = rules.freeInCsw.includes('service') ? 'free_customer_service' : 'regular';
      else if (category === 'utility' && cswOpen && rules.freeInCsw.includes('utility')) pricingType = 'free_customer_service';
    } else {
      const open = [...conversations.entries()].filter(([, c]) => c.until > m.atMs).sort((a, b) => b[1].openedMs - a[1].openedMs);
      const joined = m.isTemplate ? open.find(([c]) => c === category) : open[0];
      if (joined) {
        category = joined[0];
        conversationId = joined[1].id;
      } else if (m.delivered) {
        conversationId = `${m.wamid}:${category}`;
        conversations.set(category, { until: m.atMs + CONVERSATION_MS, id: conversationId, openedMs: m.atMs });
        opens = true;
      }
    }

    const verdict = m.pricing;
    const finalCategory = verdict?.category ?? category;
    const finalType = verdict?.pricingType ?? pricingType;
    if (verdict?.conversationId) {
      conversationId = verdict.conversationId;
      opens = !metaConversations.has(conversationId);
      metaConversations.add(conversationId);
    }
    let charged = m.delivered && finalType === 'regular' && (!isKnownCategory(finalCategory) || rateColumnOf(finalCategory) !== null);
    if (model === 'CBP') charged &&= opens && !(finalCategory === 'service' && !rules.cbpServiceCharged);
    out.push({
      wamid: m.wamid,
      atMs: m.atMs,
      day,
      pricingModel: model,
      category: finalCategory,
      pricingType: finalType,
      source: verdict ? 'meta' : 'inferred',
      inferredCategory: category,
      inferredPricingType: pricingType,
      delivered: m.delivered,
      charged,
      cswOpen,
      fepOpen,
      conversationId,
      opensConversation: opens,
    });
  }
  return out;
}

/** A template without our own category falls back to Meta's verdict when that is a category we know. */
function knownOrMissing(m: OutboundEvent): Category {
  const fromMeta = m.pricing?.category;
  if (fromMeta !== undefined && isKnownCategory(fromMeta)) return fromMeta;
  throw new InputError(`events[wamid=${m.wamid}].templateCategory`, undefined, "is required for a template without Meta's pricing");
}
