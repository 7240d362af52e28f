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
  /** biz_opaque_callback_data: the campaign or flow the message belongs to (the dashboards' "group"); null = untagged. */
  group: string | null;
}

function statusJson(e: StatusEvent): string {
  const pricing =
    e.status === 'read'
      ? ''
      : `,"conversation":{"id":"c${e.wamid.slice(6, 30)}","origin":{"type":"${e.category}"}},"pricing":{"billable":${e.category !== 'service' && e.category !== 'referral_conversion'},"pricing_model":"PMP","type":"${e.category === 'service' ? 'free_customer_service' : 'regular'}","category":"${e.category}"}`;
  const group = e.group === null ? '' : `,"biz_opaque_callback_data":"${e.group}"`;
  return `{"id":"${e.wamid}","status":"${e.status}","timestamp":"${e.timestampSec}","recipient_id":"${e.recipient}"${group}${pricing}}`;
}

const metadataJson = (phoneNumberId: string) =>
  `{"display_phone_number":"1555${phoneNumberId.slice(-7)}","phone_number_id":"${phoneNumberId}"}`;

function envelopeJson(wabaId: string, field: string, value: string): string {
  return `{"object":"whatsapp_business_account","entry":[{"id":"${wabaId}","changes":[{"value":${value},"field":"${field}"}]}]}`;
}

/** One webhook body for statuses of one phone number of one WABA. */
export function statusWebhookBody(wabaId: string, phoneNumberId: string, statuses: readonly StatusEvent[]): string {
  return envelopeJson(
    wabaId,
    'messages',
    `{"messaging_product":"whatsapp","metadata":${metadataJson(phoneNumberId)},"statuses":[${statuses.map(statusJson).join(',')}]}`,
  );
}

/** A finished call: connect at its start, terminate at its end (Meta's `calls` webhook field). */
export interface CallPlan {
  waba: BenchWaba;
  phone: string;
  callId: string;
  direction: 'user_initiated' | 'business_initiated';
  /** The WhatsApp user's number. */
  user: string;
  startSec: number;
  durationSec: number;
}

function callJson(c: CallPlan, event: 'connect' | 'terminate'): string {
  const business = `1555${c.phone.slice(-7)}`;
  const userInitiated = c.direction === 'user_initiated';
  const ends = userInitiated ? `"from":"${c.user}","to":"${business}"` : `"from":"${business}","to":"${c.user}"`;
  const direction = userInitiated ? 'USER_INITIATED' : 'BUSINESS_INITIATED';
  if (event === 'connect') {
    // Meta marks only business-initiated connects with a direction.
    return `{"id":"${c.callId}",${ends},"event":"connect","timestamp":"${c.startSec}"${userInitiated ? '' : `,"direction":"${direction}"`},"session":{"sdp_type":"${userInitiated ? 'offer' : 'answer'}","sdp":"v=0"}}`;
  }
  const end = c.startSec + c.durationSec;
  return `{"id":"${c.callId}",${ends},"event":"terminate","timestamp":"${end}","direction":"${direction}","status":"COMPLETED","start_time":"${c.startSec}","end_time":"${end}","duration":${c.durationSec}}`;
}

/** One `calls` webhook body with the connect and terminate of each call of one phone number. */
export function callsWebhookBody(wabaId: string, phoneNumberId: string, calls: readonly CallPlan[]): string {
  const events = calls.flatMap((c) => [callJson(c, 'connect'), callJson(c, 'terminate')]);
  return envelopeJson(
    wabaId,
    'calls',
    `{"messaging_product":"whatsapp","metadata":${metadataJson(phoneNumberId)},"calls":[${events.join(',')}]}`,
  );
}

/** A message a user sent to the business; `referral` when it came through a click-to-WhatsApp ad. */
export interface InboundPlan {
  waba: BenchWaba;
  phone: string;
  wamid: string;
  from: string;
  atSec: number;
  referral: { adId: string; ctwaClid: string } | null;
}

function inboundJson(m: InboundPlan): string {
  const referral = m.referral
    ? `,"referral":{"source_url":"https://fb.me/bench-ad-${m.referral.adId}","source_id":"${m.referral.adId}","source_type":"ad","headline":"Bench ad","body":"Chat with us","media_type":"image","ctwa_clid":"${m.referral.ctwaClid}"}`
    : '';
  return `{"from":"${m.from}","id":"${m.wamid}","timestamp":"${m.atSec}","type":"text","text":{"body":"hello"}${referral}}`;
}

/** One `messages` webhook body with inbound messages to one phone number. */
export function inboundWebhookBody(wabaId: string, phoneNumberId: string, messages: readonly InboundPlan[]): string {
  const contacts = messages.map((m) => `{"profile":{"name":"Bench user"},"wa_id":"${m.from}"}`).join(',');
  return envelopeJson(
    wabaId,
    'messages',
    `{"messaging_product":"whatsapp","metadata":${metadataJson(phoneNumberId)},"contacts":[${contacts}],"messages":[${messages.map(inboundJson).join(',')}]}`,
  );
}

/** Meta's announcement that a portfolio crossed into a new volume tier (account_update, VOLUME_BASED_PRICING_TIER_UPDATE). */
export interface TierAnnouncement {
  waba: BenchWaba;
  atSec: number;
  category: 'UTILITY' | 'AUTHENTICATION';
  /** `lower:upper` of the tier entered, as Meta writes it (upper `MAX` for the open top tier). */
  tier: string;
  month: string;
  region: string;
}

export function tierWebhookBody(t: TierAnnouncement): string {
  const value = `{"volume_tier_info":{"tier_update_time":${t.atSec},"pricing_category":"${t.category}","tier":"${t.tier}","effective_month":"${t.month}","region":"${t.region}"},"event":"VOLUME_BASED_PRICING_TIER_UPDATE"}`;
  return `{"object":"whatsapp_business_account","entry":[{"id":"${t.waba.id}","time":${t.atSec},"changes":[{"value":${value},"field":"account_update"}]}]}`;
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
 * Half of the audience sits in the three markets the demo's tier tables cover (Brazil, India,
 * Germany), so utility and authentication volumes cross volume tiers at the small scale and above,
 * like a sender concentrated in its home markets; the other half spreads over `countries` codes.
 */
const HOME_CODES: ReadonlyArray<[string, number]> = [
  ['55', 0.6],
  ['91', 0.3],
  ['49', 0.1],
];

function pickCode(rand: () => number, countries: number): string {
  if (rand() < 0.5) {
    let pick = rand();
    for (const [code, w] of HOME_CODES) if ((pick -= w) < 0) return code;
    return '55';
  }
  return CALLING_CODES[Math.floor(rand() * Math.min(countries, CALLING_CODES.length))] as string;
}

/** A number from the recipient pool (a third of the message count, so contacts overlap). */
function poolNumber(rand: () => number, code: string, messages: number): string {
  const pool = Math.max(1, Math.floor(messages / 3));
  return (
    code +
    String(10_000_000 + Math.floor(rand() * pool))
      .padStart(9, '0')
      .slice(-9)
  );
}

/** Campaigns and flows messages are tagged with (biz_opaque_callback_data); service and referral replies go untagged. */
export const GROUPS: Readonly<Partial<Record<Category, readonly string[]>>> = {
  marketing: ['black-friday', 'winback', 'newsletter'],
  marketing_lite: ['newsletter'],
  utility: ['order-updates', 'delivery'],
  authentication: ['otp-login'],
  authentication_international: ['otp-login'],
};

/** What every wamid of the plan's messages starts with (no section's webhooks use it: `--reuse-store` counts them apart). */
export const PLAN_WAMID = 'wamid.B';

export interface PlanOptions {
  wabas: BenchWaba[];
  countries: number;
  days: number;
  endSec: number;
  messages: number;
}

/**
 * Message i of a store of `days` days ending at endSec: sent, delivered a few seconds later, and
 * read for two in three.
 */
export function planMessage(i: number, rand: () => number, opts: PlanOptions): MessagePlan {
  const waba = opts.wabas[i % opts.wabas.length] as BenchWaba;
  const phone = waba.phones[Math.floor(rand() * waba.phones.length)] as string;
  const recipient = poolNumber(rand, pickCode(rand, opts.countries), opts.messages);
  let pick = rand() * 100;
  let category: Category = 'marketing';
  for (const [c, w] of CATEGORY_MIX) {
    if ((pick -= w) < 0) {
      category = c;
      break;
    }
  }
  const sent = opts.endSec - Math.floor(rand() * opts.days * 86_400) - 60;
  const wamid = `${PLAN_WAMID}${i.toString(36).padStart(10, '0')}${Math.floor(rand() * 1e9).toString(36)}`;
  const groups = GROUPS[category];
  const group = groups ? (groups[Math.floor(rand() * groups.length)] as string) : null;
  const events: StatusEvent[] = [
    { wamid, status: 'sent', timestampSec: sent, recipient, category, group },
    { wamid, status: 'delivered', timestampSec: sent + 2, recipient, category, group },
  ];
  if (rand() < 2 / 3) events.push({ wamid, status: 'read', timestampSec: sent + 30, recipient, category, group });
  return { waba, phone, events };
}

/** Call j: 55 % user-initiated; talk time 5 s to 15 min; ends before endSec. */
export function planCall(j: number, rand: () => number, opts: PlanOptions): CallPlan {
  const waba = opts.wabas[j % opts.wabas.length] as BenchWaba;
  const phone = waba.phones[Math.floor(rand() * waba.phones.length)] as string;
  const user = poolNumber(rand, pickCode(rand, opts.countries), opts.messages);
  const direction = rand() < 0.55 ? 'user_initiated' : 'business_initiated';
  const durationSec = 5 + Math.floor(rand() * rand() * 895);
  const startSec = opts.endSec - Math.floor(rand() * opts.days * 86_400) - 1_000;
  return { waba, phone, callId: `wacid.B${j.toString(36).padStart(8, '0')}`, direction, user, startSec, durationSec };
}

/** Inbound message k from a pool number; one in four arrives through a click-to-WhatsApp ad. */
export function planInbound(k: number, rand: () => number, opts: PlanOptions): InboundPlan {
  const waba = opts.wabas[k % opts.wabas.length] as BenchWaba;
  const phone = waba.phones[Math.floor(rand() * waba.phones.length)] as string;
  const from = poolNumber(rand, pickCode(rand, opts.countries), opts.messages);
  const atSec = opts.endSec - Math.floor(rand() * opts.days * 86_400) - 120;
  const ad = Math.floor(rand() * 5);
  const referral = k % 4 === 0 ? { adId: `12023${ad}`, ctwaClid: `ctwa.B${k.toString(36)}` } : null;
  return { waba, phone, wamid: `wamid.I${k.toString(36).padStart(10, '0')}`, from, atSec, referral };
}
