/**
 * Builds Cloud API status webhooks in Meta's documented envelope (see the status_webhook_* examples):
 * one entry per WABA, one change per phone number, statuses carrying `pricing` on sent/delivered.
 * Everything is derived from a seeded counter, so the same scale always builds the same store.
 */
import type { Category } from '@core';

export interface BenchWaba {
  id: string;
  name: string;
  timezone: string;
  phones: string[];
}

/** 50 calling codes with unambiguous prefixes (no NANP, no +7) so every recipient has a known country. */
export const CALLING_CODES = [
  '91',
  '55',
  '52',
  '234',
  '27',
  '62',
  '44',
  '49',
  '33',
  '39',
  '34',
  '31',
  '54',
  '57',
  '56',
  '51',
  '20',
  '966',
  '971',
  '90',
  '92',
  '880',
  '84',
  '66',
  '60',
  '63',
  '65',
  '61',
  '64',
  '81',
  '82',
  '86',
  '48',
  '40',
  '380',
  '30',
  '351',
  '46',
  '47',
  '45',
  '358',
  '41',
  '43',
  '32',
  '353',
  '420',
  '36',
  '972',
  '254',
  '233',
];

/** Category mix of a typical sender; weights sum to 100. */
export const CATEGORY_MIX: ReadonlyArray<[Category, number]> = [
  ['marketing', 40],
  ['utility', 25],
  ['authentication', 15],
  ['service', 10],
  ['marketing_lite', 5],
  ['authentication_international', 3],
  ['referral_conversion', 2],
];

export function buildWabas(phones: number): BenchWaba[] {
  const half = Math.max(1, Math.ceil(phones / 2));
  const mk = (i: number) =>
    Array.from({ length: i === 0 ? half : Math.max(1, phones - half) }, (_, k) => `10654035${i}${String(k).padStart(7, '0')}`);
  return [
    { id: '102290129340398', name: 'Bench Retail', timezone: 'UTC', phones: mk(0) },
    { id: '102290129340399', name: 'Bench Brazil', timezone: 'America/Sao_Paulo', phones: mk(1) },
  ];
}

export interface StatusEvent {
  wamid: string;
  status: 'sent' | 'delivered' | 'read';
  timestampSec: number;
  recipient: string;
  category: Category;
}

function statusJson(e: StatusEvent): string {
  const pricing =
    e.status === 'read'
      ? ''
      : `,"conversation":{"id":"c${e.wamid.slice(6, 30)}","origin":{"type":"${e.category}"}},"pricing":{"billable":${e.category !== 'service' && e.category !== 'referral_conversion'},"pricing_model":"PMP","type":"${e.category === 'service' ? 'free_customer_service' : 'regular'}","category":"${e.category}"}`;
  return `{"id":"${e.wamid}","status":"${e.status}","timestamp":"${e.timestampSec}","recipient_id":"${e.recipient}"${pricing}}`;
}

/** One webhook body for statuses of one phone number of one WABA. */
export function statusWebhookBody(wabaId: string, phoneNumberId: string, statuses: readonly StatusEvent[]): string {
  return `{"object":"whatsapp_business_account","entry":[{"id":"${wabaId}","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1555${phoneNumberId.slice(-7)}","phone_number_id":"${phoneNumberId}"},"statuses":[${statuses.map(statusJson).join(',')}]},"field":"messages"}]}]}`;
}

/** Deterministic 32-bit PRNG (mulberry32) so builds are repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MessagePlan {
  waba: BenchWaba;
  phone: string;
  events: StatusEvent[];
}

/**
 * Message i of a store of `days` days ending at endSec: sent, delivered a few seconds later, and
 * read for two in three. Recipients come from a pool a third the size of the message count so
 * unique-contact queries have real overlap.
 */
export function planMessage(
  i: number,
  rand: () => number,
  opts: { wabas: BenchWaba[]; countries: number; days: number; endSec: number; messages: number },
): MessagePlan {
  const waba = opts.wabas[i % opts.wabas.length] as BenchWaba;
  const phone = waba.phones[Math.floor(rand() * waba.phones.length)] as string;
  const code = CALLING_CODES[Math.floor(rand() * Math.min(opts.countries, CALLING_CODES.length))] as string;
  const pool = Math.max(1, Math.floor(opts.messages / 3));
  const recipient =
    code +
    String(10_000_000 + Math.floor(rand() * pool))
      .padStart(9, '0')
      .slice(-9);
  let pick = rand() * 100;
  let category: Category = 'marketing';
  for (const [c, w] of CATEGORY_MIX) {
    if ((pick -= w) < 0) {
      category = c;
      break;
    }
  }
  const sent = opts.endSec - Math.floor(rand() * opts.days * 86_400) - 60;
  const wamid = `wamid.B${i.toString(36).padStart(10, '0')}${Math.floor(rand() * 1e9).toString(36)}`;
  const events: StatusEvent[] = [
    { wamid, status: 'sent', timestampSec: sent, recipient, category },
    { wamid, status: 'delivered', timestampSec: sent + 2, recipient, category },
  ];
  if (rand() < 2 / 3) events.push({ wamid, status: 'read', timestampSec: sent + 30, recipient, category });
  return { waba, phone, events };
}
