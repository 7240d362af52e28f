import { FEP_MS, localDay, rulesOn, type Category, type PricingType } from '@core';
import { DEMO_TIERED_MARKETS } from './demo-rates';
import type { Rng } from './rng';
import type { SimPricing, SimStatus } from './sim-events';
import type { SimShared, WabaSim } from './sim-state';

export interface SendOptions {
  category: Category;
  template: boolean;
  tag: string | null;
  /** The business's first reply to a click-to-WhatsApp referral: opens a 72h free entry point window. */
  opensFep?: boolean;
}

const FAILURES = [
  { code: 131026, title: 'Message undeliverable' },
  { code: 131000, title: 'Something went wrong' },
];
const MARKETING_LIMIT = { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' };

/**
 * Meta's verdict for a message sent at `t` under the rules of its WABA-local day (core's rules table):
 * FEP first, then the customer-service window. Until 2026-09-30 service replies and utility templates
 * in the window are free; from 2026-10-01 Meta sends them `type: regular`, `billable: true`.
 */
function verdictOf(sim: WabaSim, contact: number, t: number, opts: SendOptions): { type: PricingType; category: Category } {
  const rules = rulesOn(localDay(t, sim.waba.timezone));
  if (rules.freeInFep && sim.fepUntil[contact]! > t) return { type: 'free_entry_point', category: 'referral_conversion' };
  if (!opts.template) return { type: rules.freeInCsw.includes('service') ? 'free_customer_service' : 'regular', category: 'service' };
  if (opts.category === 'utility' && sim.cswUntil[contact]! > t && rules.freeInCsw.includes('utility'))
    return { type: 'free_customer_service', category: 'utility' };
  return { type: 'regular', category: opts.category };
}

function webhookCategory(category: Category): string {
  return category === 'authentication_international' ? 'authentication-international' : category;
}

/**
 * Sends one message: decides delivery, Meta's verdict and the FEP window, and emits the status
 * webhooks the way Meta sends them (sent; delivered or failed; read later; `pricing` on sent and on
 * one of delivered/read; delivered skipped when read at once; rarely delivered after failed).
 */
export function sendMessage(shared: SimShared, sim: WabaSim, rng: Rng, t: number, contact: number, opts: SendOptions): void {
  const recipient = sim.contacts.phones[contact] as string;
  const phoneIndex = sim.phoneIndex(rng);
  const failP = !opts.template ? 0.01 : opts.category === 'marketing' || opts.category === 'marketing_lite' ? 0.05 : 0.02;
  const fails = rng.chance(failP);
  if (opts.opensFep && !fails && sim.fepUntil[contact]! <= t) {
    sim.fepUntil[contact] = t + FEP_MS;
    sim.fepIds[contact] = sim.nextId('fep').slice(0, 32);
    sim.referralUntil[contact] = 0;
  }
  const verdict = verdictOf(sim, contact, t, opts);
  const pricing: SimPricing = { type: verdict.type, category: webhookCategory(verdict.category) };
  const fepId = verdict.type === 'free_entry_point' ? sim.fepIds[contact] : undefined;
  const wamid = sim.nextId('wamid.HBgM');
  const base = {
    kind: 'status' as const,
    arrivalMs: 0,
    wabaIndex: sim.index,
    phoneIndex,
    wamid,
    recipient,
    ...(opts.tag ? { tag: opts.tag } : {}),
  };
  const sentAt = t + rng.int(200, 2000);
  const sent: SimStatus = {
    ...base,
    atMs: sentAt,
    status: 'sent',
    pricing,
    ...(fepId ? { fep: { id: fepId, untilMs: sim.fepUntil[contact]! } } : {}),
  };
  shared.emit(sent, rng);
  if (fails) {
    const error = opts.category === 'marketing' && opts.template && rng.chance(0.7) ? MARKETING_LIMIT : rng.pick(FAILURES);
    const failedAt = sentAt + rng.int(1000, 30_000);
    shared.emit({ ...base, atMs: failedAt, status: 'failed', error }, rng);
    // Multi-device users: a delivered can follow a failed (rare); Meta charges the delivery.
    if (rng.chance(0.01)) deliver(shared, sim, rng, base, failedAt + rng.int(5_000, 120_000), pricing, fepId, verdict, opts);
    return;
  }
  deliver(shared, sim, rng, base, sentAt + rng.int(800, 25_000), pricing, fepId, verdict, opts);
}

function deliver(
  shared: SimShared,
  sim: WabaSim,
  rng: Rng,
  base: Omit<SimStatus, 'atMs' | 'status'>,
  deliveredAt: number,
  pricing: SimPricing,
  fepId: string | undefined,
  verdict: { type: PricingType; category: Category },
  opts: SendOptions,
): void {
  const readP = opts.category === 'authentication' || opts.category === 'authentication_international' ? 0.7 : opts.template ? 0.5 : 0.8;
  const read = rng.chance(readP);
  const skipDelivered = read && rng.chance(0.04);
  const fep = fepId ? { fep: { id: fepId } } : {};
  if (!skipDelivered) shared.emit({ ...base, atMs: deliveredAt, status: 'delivered', pricing, ...fep }, rng);
  if (read) {
    const readAt = skipDelivered ? deliveredAt : deliveredAt + Math.min(48 * 3600_000, Math.round(rng.exp(40 * 60_000)));
    shared.emit({ ...base, atMs: readAt, status: 'read', ...(skipDelivered ? { pricing, ...fep } : {}) }, rng);
  }
  const { market, day } = shared.recordDelivered(sim, base.phoneIndex, deliveredAt, base.recipient, verdict.category, verdict.type);
  const column =
    verdict.category === 'utility' || verdict.category === 'authentication' || verdict.category === 'authentication_international'
      ? verdict.category
      : null;
  if (verdict.type === 'regular' && column && DEMO_TIERED_MARKETS.includes(market)) {
    const tier = shared.countTiered(sim, market, column, day);
    if (tier) {
      const category = column === 'utility' ? 'UTILITY' : column === 'authentication' ? 'AUTHENTICATION' : 'AUTHENTICATION_INTERNATIONAL';
      const event = {
        kind: 'tier' as const,
        arrivalMs: 0,
        atMs: deliveredAt,
        wabaIndex: sim.index,
        category,
        tier,
        month: day.slice(0, 7),
        region: market,
      } as const;
      shared.emit(event, rng, false);
      // Meta may send the update twice; the first tier_update_time is the one that counts.
      shared.emit({ ...event, atMs: deliveredAt + rng.int(60_000, 600_000) }, rng, false);
    }
  }
}
