/**
 * Everything the bench store holds, as a deterministic stream: per delivered message its statuses,
 * and in proportion to them finished calls (one per 20 messages), inbound messages (one per 10, a
 * quarter through click-to-WhatsApp ads) and Meta's volume-tier announcements for every tier the
 * portfolio's utility or authentication volume crosses in a month (as the demo announces them).
 * The same plan always yields the same items, so a test can count what the builder wrote.
 */
import { localDay, marketOf } from '@core';
import { DEMO_TIERED_MARKETS } from '../src/connector/demo/demo-rates';
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

export interface TierStep {
  lower: number;
  upper: number | null;
}

/**
 * The volume-tier ladder the bench imports (bench-rates.ts puts these bounds on the demo's tier
 * table): tier 2 from 30 % and tier 3 from 80 % of the Brazilian utility units a full month of the
 * plan delivers, so tiers are crossed at every scale, the smallest included. Brazil and India
 * cross into tier 2; Germany, with a twentieth of the audience, stays in tier 1.
 */
export function tierLadder(plan: BuildPlan): TierStep[] {
  // Utility is 25 % of the mix and Brazil 30 % of the audience (half of it is home markets, 60 % of those Brazil).
  const brazilUtilityPerMonth = ((plan.messages * 30) / plan.days) * 0.25 * 0.3;
  const second = Math.max(2, Math.round(brazilUtilityPerMonth * 0.3)) + 1;
  const third = Math.max(second + 1, Math.round(brazilUtilityPerMonth * 0.8)) + 1;
  return [
    { lower: 0, upper: second - 1 },
    { lower: second, upper: third - 1 },
    { lower: third, upper: null },
  ];
}

/** Meta's name of a tier in an announcement: `lower:upper`, `MAX` for the open top. */
export const tierName = (t: TierStep): string => `${t.lower}:${t.upper ?? 'MAX'}`;

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
    const day = delivered ? localDay(delivered.timestampSec * 1000, message.waba.timezone) : '';
    const market = delivered ? marketOf(delivered.recipient, day).market : '';
    // Only markets with a tier table have tiers to cross.
    if (delivered && column && DEMO_TIERED_MARKETS.includes(market)) {
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
  const crossings = tierLadder(plan).slice(1);
  for (const c of [...tierCounts.values()].sort((a, b) => a.lastSec - b.lastSec)) {
    for (const step of crossings) {
      if (c.n < step.lower) continue;
      const tier = { waba: c.waba, atSec: c.lastSec, category: c.column, tier: tierName(step), month: c.month, region: c.market };
      yield { kind: 'tier', tier };
    }
  }
}
