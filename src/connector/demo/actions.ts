import { CSW_MS, type Category } from '@core';
import { RECATEGORISED_TEMPLATE } from './demo-wabas';
import { sendMessage } from './outbound';
import type { Rng } from './rng';
import type { Action, SimShared, WabaSim } from './sim-state';

const TEXTS = [
  'Hi, where is my order?',
  'Olá! Qual o prazo de entrega?',
  'Is this still available?',
  'Can I change my booking?',
  'Thanks!',
  'Price please',
];
const AD_HEADLINES = ['50% off this week', 'Free delivery today', 'New collection is here'];

function authCategory(sim: WabaSim, contact: number, category: Category): Category {
  // The Berlin WABA's OTPs to Indian numbers are billed as authentication-international.
  return category === 'authentication' && sim.waba.currency === 'EUR' && sim.contacts.countries[contact] === 'IN'
    ? 'authentication_international'
    : category;
}

function inbound(shared: SimShared, sim: WabaSim, rng: Rng, t: number, contact: number, referral: boolean): void {
  const phoneIndex = sim.phoneIndex(rng);
  shared.emit(
    {
      kind: 'inbound',
      arrivalMs: 0,
      atMs: t,
      wabaIndex: sim.index,
      phoneIndex,
      wamid: sim.nextId('wamid.HBgL'),
      from: sim.contacts.phones[contact] as string,
      name: sim.contacts.names[contact] as string,
      text: rng.pick(TEXTS),
      ...(referral
        ? { referral: { adId: `1202${rng.int(100000, 999999)}`, headline: rng.pick(AD_HEADLINES), ctwaClid: sim.nextId('ARA') } }
        : {}),
    },
    rng,
    false,
  );
  sim.cswUntil[contact] = t + CSW_MS;
  if (referral) sim.referralUntil[contact] = t + CSW_MS;
  // The agent answers within minutes with 1-3 free-form messages; ad leads often get offers in the next days.
  let at = t + Math.round(rng.exp(4 * 60_000)) + 20_000;
  const replies = rng.int(1, 3);
  for (let i = 0; i < replies; i++) {
    sim.actions.push(at, { kind: 'reply', contact, opensFep: referral && i === 0 });
    at += Math.round(rng.exp(2 * 60_000)) + 10_000;
  }
  if (referral && rng.chance(0.6))
    sim.actions.push(t + rng.int(2, 60) * 3600_000, {
      kind: 'template',
      contact,
      category: 'marketing',
      tag: 'ctwa-followup',
      template: 'ctwa_offer',
    });
  if (rng.chance(0.3))
    sim.actions.push(t + rng.int(10, 90) * 60_000, { kind: 'template', contact, category: 'utility', tag: null, template: 'order_status' });
}

function call(
  shared: SimShared,
  sim: WabaSim,
  rng: Rng,
  t: number,
  contact: number,
  direction: 'user_initiated' | 'business_initiated',
): void {
  const phoneIndex = sim.phoneIndex(rng);
  const callId = sim.nextId('wacid.');
  const user = sim.contacts.phones[contact] as string;
  const base = { kind: 'call' as const, arrivalMs: 0, wabaIndex: sim.index, phoneIndex, callId, direction, user };
  shared.emit({ ...base, atMs: t, event: 'connect' }, rng, false);
  const answered = rng.chance(direction === 'user_initiated' ? 0.8 : 0.6);
  // A user's call opens the service window whether or not it is answered; a business call only when accepted.
  if (direction === 'user_initiated' || answered) sim.cswUntil[contact] = t + CSW_MS;
  if (!answered) {
    const endAt = t + rng.int(30_000, 60_000);
    shared.emit({ ...base, atMs: endAt, event: 'terminate', status: 'FAILED', durationSec: 0 }, rng, false);
    shared.calls.push({ wabaIndex: sim.index, phoneIndex, callId, startMs: t, direction, durationSec: 0, user });
    return;
  }
  const startMs = t + rng.int(4_000, 20_000);
  const durationSec = Math.max(5, Math.min(3600, Math.round(rng.logNormal(direction === 'user_initiated' ? 150 : 110, 0.8))));
  const endMs = startMs + durationSec * 1000;
  shared.emit({ ...base, atMs: endMs, event: 'terminate', status: 'COMPLETED', startMs, endMs, durationSec }, rng, rng.chance(0.3));
  shared.calls.push({ wabaIndex: sim.index, phoneIndex, callId, startMs, direction, durationSec, user });
}

export function executeAction(shared: SimShared, sim: WabaSim, rng: Rng, t: number, action: Action): void {
  switch (action.kind) {
    case 'template': {
      const moved = sim.recategorised && sim.waba.id === RECATEGORISED_TEMPLATE.wabaId && action.template === RECATEGORISED_TEMPLATE.name;
      const category = authCategory(sim, action.contact, moved ? 'marketing' : action.category);
      return sendMessage(shared, sim, rng, t, action.contact, { category, template: true, tag: action.tag });
    }
    case 'reply':
      return sendMessage(shared, sim, rng, t, action.contact, {
        category: 'service',
        template: false,
        tag: null,
        opensFep: action.opensFep && sim.referralUntil[action.contact]! > t,
      });
    case 'inbound':
      return inbound(shared, sim, rng, t, action.contact, action.referral);
    case 'user_call':
      return call(shared, sim, rng, t, action.contact, 'user_initiated');
    case 'business_call':
      return call(shared, sim, rng, t, action.contact, 'business_initiated');
    case 'recategorise':
      sim.recategorised = true;
      shared.emit(
        {
          kind: 'template_category',
          arrivalMs: 0,
          atMs: t,
          wabaIndex: sim.index,
          templateId: RECATEGORISED_TEMPLATE.templateId,
          name: RECATEGORISED_TEMPLATE.name,
          language: 'pt_BR',
          previous: 'UTILITY',
          next: 'MARKETING',
        },
        rng,
        false,
      );
  }
}
