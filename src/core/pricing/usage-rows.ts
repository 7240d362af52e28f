import { InputError } from '../errors';
import type { PricingModel, UsageCategory, UsagePricingType } from '../model/category';
import type { UsageRow } from '../model/usage';
import { marketOf } from '../ratecard/markets';
import type { PricingRuleRow } from '../rules/pricing-rules';
import { conversationUnits } from './conversation-units';

/** One delivered message with its verdict (Meta's or classifyTimeline's) and its WABA's settings. */
export interface UsageMessage {
  wabaId: string;
  portfolioId: string;
  currency: string;
  /** The WABA's IANA time zone: days, months and the pricing model are WABA-local. */
  timezone: string;
  atMs: number;
  /** Recipient number; the market is marketOf(recipient, WABA-local day) unless `market` is given. */
  recipient?: string;
  market?: string;
  /** Our category or an unknown one Meta sent, lower snake case (see normaliseCategory). */
  category: UsageCategory;
  pricingType: UsagePricingType;
  /** Defaults to the model of the WABA-local day (pricingModelAt). */
  pricingModel?: PricingModel;
  /** false for sent-only or failed messages, which are left out (Meta charges on delivery). Default true. */
  delivered?: boolean;
  /** CBP: the conversation id; each conversation counts once, on the day of its first message. */
  conversationId?: string | null;
  /** CBP: Meta's conversation.origin.type; the conversation's row takes this category. */
  conversationOrigin?: string | null;
  /** Grouping dimensions kept with the row; a null value groups with '', and `{}` is the same as none. */
  dims?: Readonly<Record<string, string | null>>;
}

/**
 * Aggregates delivered messages into usage rows (one per WABA-local day x WABA x market x category x
 * pricing type x model x dims). `units` are charged units (conversationUnits): conversations on CBP
 * days, counted on the day of their first delivered message in their origin's category, messages on
 * PMP days; `messages` counts every delivered message.
 */
export function buildUsageRows(
  messages: readonly UsageMessage[],
  field = 'messages',
  options: { rules?: readonly PricingRuleRow[] } = {},
): UsageRow[] {
  const rows = new Map<string, UsageRow & { messages: number }>();
  const units = conversationUnits(messages, options, field);
  const order = messages.map((m, i) => i);
  const sorted = messages.every((m, i) => i === 0 || (messages[i - 1] as UsageMessage).atMs <= m.atMs);
  if (!sorted) order.sort((a, b) => (messages[a] as UsageMessage).atMs - (messages[b] as UsageMessage).atMs || a - b);
  for (const i of order) {
    const m = messages[i] as UsageMessage;
    const u = units[i];
    if (!u) continue;
    const { day, pricingModel, category, unit } = u;
    let market = m.market;
    if (market === undefined) {
      if (m.recipient === undefined) throw new InputError(`${field}[${i}].recipient`, undefined, 'or market is required');
      market = marketOf(m.recipient, day, `${field}[${i}].recipient`).market;
    }
    // No dims and empty dims `{}` are the same bucket, and its row carries no dims whichever came first.
    const names = m.dims ? Object.keys(m.dims).sort() : [];
    const dims = names.map((k) => `${k}=${m.dims?.[k] ?? ''}`).join('\u0001');
    const key = `${day}\u0000${m.wabaId}\u0000${m.portfolioId}\u0000${m.currency}\u0000${market}\u0000${category}\u0000${m.pricingType}\u0000${pricingModel}\u0000${dims}`;
    const row = rows.get(key);
    if (row) {
      row.units += unit;
      row.messages += 1;
    } else {
      rows.set(key, {
        day,
        wabaId: m.wabaId,
        portfolioId: m.portfolioId,
        currency: m.currency,
        market,
        category,
        pricingType: m.pricingType,
        pricingModel,
        units: unit,
        messages: 1,
        ...(names.length > 0 ? { dims: m.dims } : {}),
      });
    }
  }
  return [...rows.values()];
}
