import { dayOfWeek, dayStartMs, addDays, type Category } from '@core';
import { RECATEGORISED_TEMPLATE } from './demo-wabas';
import { executeAction } from './actions';
import { Rng } from './rng';
import type { Action, SimShared, WabaSim } from './sim-state';

// Local hour-of-day profile of business messaging (night lull, late-morning and evening peaks).
const HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.6, 2, 2.2, 2.2, 2, 1.9, 1.8, 1.8, 1.9, 2, 2.1, 2, 1.6, 1.1, 0.7, 0.4].map(
  (w, h) => [h, w] as const,
);
const BUSINESS_HOURS = HOURS.map(([h, w]) => [h, h >= 9 && h < 18 ? w : 0] as const);
// Sunday..Saturday factors.
const WEEK = {
  marketing: [0.35, 1, 1.05, 1, 1.1, 0.95, 0.5],
  utility: [0.7, 1, 1, 1, 1, 1, 0.8],
  authentication: [0.8, 1, 1, 1, 1, 1, 0.9],
  inbound: [0.6, 1, 1, 1, 1, 0.9, 0.7],
  businessCalls: [0.1, 1, 1, 1, 1, 1, 0.3],
};

function timeIn(rng: Rng, start: number, hours: readonly (readonly [number, number])[]): number {
  return start + (rng.weighted(hours) * 3600 + rng.next() * 3600) * 1000;
}

export interface DayPlanContext {
  shared: SimShared;
  sim: WabaSim;
  day: string;
  dayIndex: number;
  days: number;
  scale: number;
}

/** Queues the day's own actions: template sends, inbound chats, ad referrals, calls, campaign bursts. */
function planDay(ctx: DayPlanContext, rng: Rng, start: number): void {
  const { sim, scale } = ctx;
  const w = sim.waba;
  const dow = dayOfWeek(ctx.day);
  const contacts = sim.contacts.phones.length;
  const noise = () => 0.85 + rng.next() * 0.3;
  const campaign = dow >= 1 && dow <= 5 && rng.chance(0.16) ? rng.pick(w.campaigns) : null;
  const n = (base: number, week: readonly number[]) => rng.count(base * scale * (week[dow] as number) * noise());
  const push = (t: number, action: Action) => sim.actions.push(t, action);
  const contact = () => rng.int(0, contacts - 1);
  const templatesOf = (category: Category) => w.templates.filter((t) => t.category === category);

  for (const [category, count] of [
    ['marketing', n(w.daily.marketing, WEEK.marketing)],
    ['utility', n(w.daily.utility, WEEK.utility)],
    ['authentication', n(w.daily.authentication, WEEK.authentication)],
  ] as const) {
    const templates = templatesOf(category);
    for (let i = 0; i < count; i++) {
      const template = rng.pick(templates);
      const tagged = template.tag !== null && rng.chance(category === 'utility' ? 0.9 : 0.85);
      push(timeIn(rng, start, HOURS), {
        kind: 'template',
        contact: contact(),
        category,
        tag: tagged ? template.tag : null,
        template: template.name,
      });
    }
  }
  for (let i = n(w.daily.marketingLite, WEEK.marketing); i > 0; i--) {
    push(timeIn(rng, start, HOURS), {
      kind: 'template',
      contact: contact(),
      category: 'marketing_lite',
      tag: campaign ?? (rng.chance(0.7) ? 'promo-lite' : null),
      template: 'mm_lite_offer',
    });
  }
  if (campaign) {
    // The campaign goes out as one burst in the late morning: the spike on the dashboards.
    const burst = rng.count(w.daily.marketing * scale * (1.5 + rng.next() * 2));
    const at = start + (10 * 3600 + rng.int(0, 1800)) * 1000;
    for (let i = 0; i < burst; i++)
      push(at + rng.int(0, 90 * 60_000), {
        kind: 'template',
        contact: contact(),
        category: 'marketing',
        tag: campaign,
        template: `campaign_${campaign}`,
      });
  }
  for (let i = n(w.daily.inbound, WEEK.inbound); i > 0; i--)
    push(timeIn(rng, start, HOURS), { kind: 'inbound', contact: contact(), referral: false });
  for (let i = n(w.daily.referrals * (campaign ? 1.5 : 1), WEEK.inbound); i > 0; i--)
    push(timeIn(rng, start, HOURS), { kind: 'inbound', contact: contact(), referral: true });
  for (let i = n(w.daily.userCalls, WEEK.inbound); i > 0; i--) push(timeIn(rng, start, HOURS), { kind: 'user_call', contact: contact() });
  for (let i = n(w.daily.businessCalls, WEEK.businessCalls); i > 0; i--)
    push(timeIn(rng, start, BUSINESS_HOURS), { kind: 'business_call', contact: contact() });
  const recatDay = ctx.days >= 28 ? ctx.days - 21 : Math.floor(ctx.days / 2);
  if (w.id === RECATEGORISED_TEMPLATE.wabaId && ctx.dayIndex === recatDay) push(start + 9 * 3600_000, { kind: 'recategorise' });
}

/** Simulates one WABA-local day up to `untilMs` (the end of the day, or asOf on the last day). */
export function simulateWabaDay(ctx: DayPlanContext, untilMs: number): void {
  const rng = new Rng(`${ctx.shared.seed}|${ctx.sim.waba.id}|${ctx.day}`);
  const start = dayStartMs(ctx.day, ctx.sim.waba.timezone);
  const end = Math.min(untilMs, dayStartMs(addDays(ctx.day, 1), ctx.sim.waba.timezone));
  planDay(ctx, rng, start);
  while (ctx.sim.actions.peekTime() < end) {
    const t = ctx.sim.actions.peekTime();
    executeAction(ctx.shared, ctx.sim, rng, t, ctx.sim.actions.pop() as Action);
  }
  if (untilMs <= end) {
    // Past asOf nothing happens: drop what was planned after it.
    while (ctx.sim.actions.size > 0) ctx.sim.actions.pop();
  }
}
