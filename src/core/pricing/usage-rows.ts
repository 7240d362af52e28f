import { InputError } from '../errors';
import type { Category, PricingModel, PricingType } from '../model/category';
import type { UsageRow } from '../model/usage';
import { marketOf } from '../ratecard/markets';
import { localDay } from '../time/local-time';
import { PMP_START_DAY } from '../windows/pricing-model';

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
  category: Category;
  pricingType: PricingType;
  /** Defaults to the model of the WABA-local day (pricingModelAt). */
  pricingModel?: PricingModel;
  /** false for sent-only or failed messages, which are left out (Meta charges on delivery). Default true. */
  delivered?: boolean;
  /** CBP: the conversation id; each conversation counts once, on the day of its first message. */
  conversationId?: string | null;
  dims?: Readonly<Record<string, string | null>>;
}

/**
 * Aggregates delivered messages into usage rows (one per WABA-local day x WABA x market x category x
 * pricing type x model x dims). Under CBP the units are distinct conversations (a message without a
 * conversation id counts as its own conversation); under PMP they are messages.
 */
export function buildUsageRows(messages: readonly UsageMessage[], field = 'messages'): UsageRow[] {
  const rows = new Map<string, UsageRow & { messages: number }>();
  const conversations = new Set<string>();
  const order = messages.map((m, i) => i);
  const sorted = messages.every((m, i) => i === 0 || (messages[i - 1] as UsageMessage).atMs <= m.atMs);
  if (!sorted) order.sort((a, b) => (messages[a] as UsageMessage).atMs - (messages[b] as UsageMessage).atMs || a - b);
  for (const i of order) {
    const m = messages[i] as UsageMessage;
    if (m.delivered === false) continue;
    if (!Number.isFinite(m.atMs)) throw new InputError(`${field}[${i}].atMs`, m.atMs, 'must be epoch milliseconds');
    const day = localDay(m.atMs, m.timezone);
    let market = m.market;
    if (market === undefined) {
      if (m.recipient === undefined) throw new InputError(`${field}[${i}].recipient`, undefined, 'or market is required');
      market = marketOf(m.recipient, day, `${field}[${i}].recipient`).market;
    }
    const pricingModel = m.pricingModel ?? (day >= PMP_START_DAY ? 'PMP' : 'CBP');
    let unit = 1;
    if (pricingModel === 'CBP' && m.conversationId) {
      const key = `${m.wabaId}\u0000${m.conversationId}\u0000${m.category}`;
      if (conversations.has(key)) unit = 0;
      conversations.add(key);
    }
    const dims = m.dims
      ? Object.keys(m.dims)
          .sort()
          .map((k) => `${k}=${m.dims?.[k] ?? ''}`)
          .join('\u0001')
      : '';
    const key = `${day}\u0000${m.wabaId}\u0000${m.portfolioId}\u0000${m.currency}\u0000${market}\u0000${m.category}\u0000${m.pricingType}\u0000${pricingModel}\u0000${dims}`;
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
        category: m.category,
        pricingType: m.pricingType,
        pricingModel,
        units: unit,
        messages: 1,
        ...(m.dims ? { dims: m.dims } : {}),
      });
    }
  }
  return [...rows.values()];
}
