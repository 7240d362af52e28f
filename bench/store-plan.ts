/**
 * Everything the bench store holds, as a deterministic stream: per delivered message its statuses,
 * and in proportion to them finished calls (one per 20 messages), inbound messages (one per 10, a
 * quarter through click-to-WhatsApp ads) and Meta's volume-tier announcements for every tier the
 * portfolio's utility or authentication volume crosses in a month (as the demo announces them).
 * The same plan always yields the same items, so a test can count what the builder wrote.
 */
import { localDay, marketOf } from '@core';
import {
  buildWabas,
  planCall,
  planInbound,
  planMessage,
  rng,
  type CallPlan,
  type InboundPlan,
  type MessagePlan,
  type PlanOptions,
  type TierAnnouncement,
} from './webhook-bodies';

export interface BuildPlan {
  messages: number;
  days: number;
  countries: number;
  phones: number;
  /** End of the data, epoch seconds (exclusive). */
  endSec: number;
}

export type PlannedItem =
  | { kind: 'message'; message: MessagePlan }
  | { kind: 'call'; call: CallPlan }
  | { kind: 'inbound'; inbound: InboundPlan }
  | { kind: 'tier'; tier: TierAnnouncement };

export const CALLS_PER_MESSAGE = 1 / 20;
export const INBOUND_PER_MESSAGE = 1 / 10;

/**
 * The lower bounds of the tiers the bench imports (src/connector/demo's invented tier table:
 * 0–2,000, 2,001–8,000, 8,001+ units per portfolio, market and category a month).
 */
export const TIER_STARTS: ReadonlyArray<[number, string]> = [
  [2_001, '2001:8000'],
  [8_001, '8001:MAX'],
];

const TIER_COLUMN: Partial<Record<string, 'UTILITY' | 'AUTHENTICATION'>> = { utility: 'UTILITY', authentication: 'AUTHENTICATION' };

export function planOptions(plan: BuildPlan): PlanOptions {
  return { wabas: buildWabas(plan.phones), countries: plan.countries, days: plan.days, endSec: plan.endSec, messages: plan.messages };
}

export function* planStore(plan: BuildPlan): Generator<PlannedItem> {
  const opts = planOptions(plan);
  const rand = rng(20261122);
  const callRand = rng(20261123);
  const inboundRand = rng(20261124);
  const callEvery = Math.round(1 / CALLS_PER_MESSAGE);
  const inboundEvery = Math.round(1 / INBOUND_PER_MESSAGE);
  // Charged units per portfolio x market x tier column x WABA-local month, and the latest delivery in each.
  const tierCounts = new Map<
    string,
    { n: number; lastSec: number; waba: MessagePlan['waba']; market: string; column: 'UTILITY' | 'AUTHENTICATION'; month: string }
  >();
  for (let i = 0; i < plan.messages; i++) {
    const message = planMessage(i, rand, opts);
    yield { kind: 'message', message };
    const delivered = message.events[1];
    const column = delivered ? TIER_COLUMN[delivered.category] : undefined;
    if (delivered && column) {
      const day = localDay(delivered.timestampSec * 1000, message.waba.timezone);
      const market = marketOf(delivered.recipient, day).market;
      // Both bench WABAs share one portfolio: tiers count across them.
      const key = `${market}|${column}|${day.slice(0, 7)}`;
      const c = tierCounts.get(key) ?? { n: 0, lastSec: 0, waba: message.waba, market, column, month: day.slice(0, 7) };
      c.n++;
      c.lastSec = Math.max(c.lastSec, delivered.timestampSec);
      tierCounts.set(key, c);
    }
    if (i % callEvery === callEvery - 1) yield { kind: 'call', call: planCall(Math.floor(i / callEvery), callRand, opts) };
    if (i % inboundEvery === inboundEvery - 1)
      yield { kind: 'inbound', inbound: planInbound(Math.floor(i / inboundEvery), inboundRand, opts) };
  }
  // Messages are planned in random time order, so a crossing is announced once the month's count is known.
  for (const c of [...tierCounts.values()].sort((a, b) => a.lastSec - b.lastSec)) {
    for (const [lower, tier] of TIER_STARTS) {
      if (c.n >= lower)
        yield { kind: 'tier', tier: { waba: c.waba, atSec: c.lastSec, category: c.column, tier, month: c.month, region: c.market } };
    }
  }
}
