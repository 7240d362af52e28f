import { InputError } from '../errors';
import { normaliseCategory, type PricingModel, type UsageCategory } from '../model/category';
import { PRICING_RULES, rulesOn, type PricingRuleRow } from '../rules/pricing-rules';
import { localDay } from '../time/local-time';

/** One delivered (or not) message as CBP counting needs it. */
export interface ConversationMessage {
  wabaId: string;
  /** The WABA's IANA time zone: days and the pricing model are WABA-local. */
  timezone: string;
  atMs: number;
  /** The message's own category (Meta's `pricing.category`, or the classifier's). */
  category: UsageCategory;
  /** Meta's `pricing.pricing_model` when the status had one; else the model of the WABA-local day. */
  pricingModel?: PricingModel;
  /** CBP: Meta's `conversation.id`. Without one a message counts as its own conversation. */
  conversationId?: string | null;
  /** CBP: Meta's `conversation.origin.type` (any spelling); the category the conversation is charged in. */
  conversationOrigin?: string | null;
  /** false for sent-only or failed messages (Meta charges on delivery). Default true. */
  delivered?: boolean;
}

/** What one message contributes: its day, model and category, and whether it is a charged unit. */
export interface ConversationUnit {
  day: string;
  pricingModel: PricingModel;
  /** Under CBP the origin's category (lower snake case), under PMP the message's own. */
  category: UsageCategory;
  /** 1 when the message is a charged unit (PMP: every delivered message; CBP: the first of its conversation). */
  unit: 0 | 1;
}

/**
 * The charged units behind delivered messages, one entry per input message (null when not delivered).
 * PMP days: every delivered message is a unit. CBP days (before 2025-07-01 WABA-local): a unit is a
 * conversation, counted once, on the WABA-local day of its first delivered message, in the category of
 * its origin; later messages in it are delivered but not charged. Messages are taken in time order
 * whatever the input order (webhooks are at-least-once and reorder), so duplicates never count twice.
 *
 * Switch-over (Meta pricing page, "Conversation-based pricing" edge case): a conversation opened
 * before the switch and still open after it made later templates of its category free, and their
 * webhooks carried `pricing_model: CBP`. No conversation opens once per-message pricing is in force,
 * so a CBP-labelled message on a PMP day is never a unit: its conversation was charged when it opened.
 */
export function conversationUnits(
  messages: readonly ConversationMessage[],
  options: { rules?: readonly PricingRuleRow[] } = {},
  field = 'messages',
): (ConversationUnit | null)[] {
  const table = options.rules ?? PRICING_RULES;
  const out: (ConversationUnit | null)[] = new Array(messages.length).fill(null);
  const order = messages.map((_, i) => i);
  order.sort((a, b) => (messages[a] as ConversationMessage).atMs - (messages[b] as ConversationMessage).atMs || a - b);
  const opened = new Set<string>();
  for (const i of order) {
    const m = messages[i] as ConversationMessage;
    if (m.delivered === false) continue;
    if (!Number.isFinite(m.atMs)) throw new InputError(`${field}[${i}].atMs`, m.atMs, 'must be epoch milliseconds');
    const day = localDay(m.atMs, m.timezone);
    const dayModel = rulesOn(day, table).pricingModel;
    const pricingModel = m.pricingModel ?? dayModel;
    if (pricingModel === 'PMP') {
      out[i] = { day, pricingModel, category: m.category, unit: 1 };
      continue;
    }
    const category = m.conversationOrigin
      ? normaliseCategory(m.conversationOrigin, `${field}[${i}].conversationOrigin`).category
      : m.category;
    let unit: 0 | 1 = 1;
    if (dayModel === 'PMP') unit = 0;
    else if (m.conversationId) {
      const key = `${m.wabaId}\u0000${m.conversationId}`;
      if (opened.has(key)) unit = 0;
      opened.add(key);
    }
    out[i] = { day, pricingModel, category, unit };
  }
  return out;
}
