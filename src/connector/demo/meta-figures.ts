import {
  divRound,
  localDay,
  marketOf,
  priceCalls,
  priceUsage,
  type CallRecord,
  type Category,
  type Micros,
  type PriceBook,
  type PricedRow,
  type PricingType,
  type UsageRow,
} from '@core';
import type { MetaCallRow, MetaPricingRow } from '../pull/pull-sink';
import type { DemoWaba } from './demo-wabas';
import { Rng } from './rng';
import type { SimShared } from './sim-state';

/**
 * "Meta's figures" for the demo: what pricing_analytics and call_analytics would report for the
 * simulated traffic, priced on the demo's (invented) price book, with a small drift against our
 * estimate as real reconciliations show (day of delivery vs day of sending, Meta's approximate COST).
 * FEP messages are reported under category SERVICE, as in Meta's documented sample.
 */

function scaleMicros(value: Micros, factor: number): Micros {
  return divRound(value * BigInt(Math.round(factor * 1_000_000)), 1_000_000n);
}

function metaRowsOf(priced: PricedRow, phoneId: string, country: string | null, rng: Rng): MetaPricingRow[] {
  const fep = priced.category === 'referral_conversion';
  const category: Category = fep ? 'service' : (priced.category as Category);
  const base = {
    day: priced.day,
    wabaId: priced.wabaId,
    phoneNumberId: phoneId,
    country,
    category,
    pricingType: priced.pricingType as PricingType,
    currency: priced.currency,
  };
  const parts = priced.tiers?.length
    ? priced.tiers.map((t) => ({
        tier: `${t.lower}:${t.upper ?? 'MAX'}`,
        volume: t.units,
        cost: (BigInt(t.units) * t.rateMicros) as Micros | null,
      }))
    : [
        {
          tier: priced.pricingType === 'regular' ? '0:MAX' : null,
          volume: priced.units,
          cost: priced.pricingType === 'regular' ? priced.costMicros : 0n,
        },
      ];
  return parts.map((p) => {
    let { volume, cost } = p;
    if (priced.pricingType === 'regular' && volume > 2 && rng.chance(0.15)) {
      const moved = rng.chance(0.5) ? 1 : -1;
      if (cost !== null) cost = divRound(cost * BigInt(volume + moved), BigInt(volume));
      volume += moved;
    }
    if (cost !== null && cost > 0n) cost = scaleMicros(cost, 1 + (rng.next() * 0.01 - 0.004));
    return { ...base, tier: p.tier, volume, costMicros: cost };
  });
}

export function buildMetaPricingRows(shared: SimShared, wabas: readonly DemoWaba[], book: PriceBook, seed: string): MetaPricingRow[] {
  const rows: UsageRow[] = [];
  for (const [key, count] of shared.delivered) {
    const [w, day, phone, iso2, market, category, type] = key.split('|') as [string, string, string, string, string, Category, PricingType];
    const waba = wabas[Number(w)] as DemoWaba;
    if (day >= localDay(shared.asOfMs, waba.timezone)) continue; // only complete days, as the pullers do
    rows.push({
      day,
      wabaId: waba.id,
      portfolioId: waba.portfolio,
      currency: waba.currency,
      market,
      category,
      pricingType: type,
      pricingModel: 'PMP',
      units: count,
      dims: { phone: (waba.phones[Number(phone)] as DemoWaba['phones'][number]).id, country: iso2 || null },
    });
  }
  const priced = priceUsage(rows, book).rows;
  const out: MetaPricingRow[] = [];
  for (const row of priced) {
    const rng = new Rng(`${seed}|meta|${row.wabaId}|${row.day}|${row.dims?.phone}|${row.dims?.country}|${row.category}|${row.pricingType}`);
    out.push(...metaRowsOf(row, row.dims?.phone as string, (row.dims?.country as string | null) ?? null, rng));
  }
  return out.sort((a, b) => a.wabaId.localeCompare(b.wabaId) || a.day.localeCompare(b.day));
}

export function buildMetaCallRows(shared: SimShared, wabas: readonly DemoWaba[], book: PriceBook): MetaCallRow[] {
  const records: CallRecord[] = shared.calls.map((c) => {
    const waba = wabas[c.wabaIndex] as DemoWaba;
    const day = localDay(c.startMs, waba.timezone);
    const info = marketOf(c.user, day);
    return {
      callId: c.callId,
      wabaId: waba.id,
      portfolioId: waba.portfolio,
      currency: waba.currency,
      day,
      startMs: c.startMs,
      direction: c.direction,
      durationSec: c.durationSec,
      market: info.market,
      dims: { phone: (waba.phones[c.phoneIndex] as DemoWaba['phones'][number]).id, country: info.iso2 },
    };
  });
  const groups = new Map<string, MetaCallRow & { totalSec: number }>();
  for (const call of priceCalls(records, book).calls) {
    const waba = wabas.find((w) => w.id === call.wabaId) as DemoWaba;
    if (call.day >= localDay(shared.asOfMs, waba.timezone)) continue;
    const key = `${call.wabaId}|${call.day}|${call.dims?.phone}|${call.dims?.country}|${call.direction}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        day: call.day,
        wabaId: call.wabaId,
        phoneNumberId: call.dims?.phone ?? null,
        country: call.dims?.country ?? null,
        direction: call.direction,
        count: 0,
        costMicros: 0n,
        averageDurationSec: 0,
        currency: call.currency,
        totalSec: 0,
      };
      groups.set(key, g);
    }
    g.count++;
    g.totalSec += call.durationSec;
    g.costMicros = g.costMicros === null || call.costMicros === null ? null : g.costMicros + call.costMicros;
  }
  return [...groups.values()].map(({ totalSec, ...row }) => ({ ...row, averageDurationSec: Math.round(totalSec / row.count) }));
}
