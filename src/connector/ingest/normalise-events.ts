import { createHash } from 'node:crypto';
import {
  accountUpdateValueSchema,
  callsValueSchema,
  messagesValueSchema,
  type CallObject,
  type Envelope,
  type InboundObject,
  type StatusObject,
} from './envelope-schema';
import { lenientCategory, lenientPricingModel, lenientPricingType, snakeName } from './lenient-names';
import { parseAt } from './parse-envelope';
import type { CallEvent, ConversationInfo, InboundEvent, PricingVerdict, StatusEvent, WebhookEvent } from './webhook-event';

const TEMPLATE_FIELDS = new Set(['message_template_status_update', 'template_category_update']);

const toMs = (s: string | number) => Number(s) * 1000;

/** A stable key for events that carry no id of their own (same body -> same key). */
function hashKey(prefix: string, wabaId: string, value: unknown): string {
  return `${prefix}:${wabaId}:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}`;
}

/** Meta's verdict, unknown values kept (see lenient-names.ts): one new category must not cost the envelope. */
function toVerdict(p: StatusObject['pricing']): PricingVerdict | null {
  if (!p || p.category === undefined) return null;
  const category = lenientCategory(p.category);
  const type = p.type === undefined ? null : lenientPricingType(p.type);
  const model = p.pricing_model === undefined ? null : lenientPricingModel(p.pricing_model);
  return {
    category: category.value,
    pricingType: type?.value ?? null,
    pricingModel: model?.value ?? null,
    billable: p.billable ?? null,
    known: category.known && (type?.known ?? true) && (model?.known ?? true),
  };
}

const asSeconds = (v: unknown): number | null =>
  (typeof v === 'string' && /^\d{1,12}$/.test(v)) || (typeof v === 'number' && Number.isInteger(v) && v >= 0) ? Number(v) * 1000 : null;

/** The conversation object, read leniently: it only refines counting, so a malformed one is ignored, never fatal. */
function toConversation(c: StatusObject['conversation']): ConversationInfo | null {
  if (!c) return null;
  const origin = c.origin as { type?: unknown } | undefined;
  const info: ConversationInfo = {
    id: typeof c.id === 'string' && c.id !== '' ? c.id : null,
    originType: origin && typeof origin.type === 'string' ? snakeName(origin.type) : null,
    expiresAtMs: asSeconds(c.expiration_timestamp),
  };
  return info.id === null && info.originType === null ? null : info;
}

function toStatus(s: StatusObject, wabaId: string, phone: string): StatusEvent {
  return {
    kind: 'status',
    dedupeKey: `status:${s.id}:${s.status}`,
    wabaId,
    phoneNumberId: phone,
    atMs: toMs(s.timestamp),
    raw: s,
    wamid: s.id,
    status: s.status,
    recipient: s.recipient_id ?? null,
    pricing: toVerdict(s.pricing),
    conversation: toConversation(s.conversation),
    group: s.biz_opaque_callback_data ?? null,
    errorCodes: (s.errors ?? []).flatMap((e) => (e.code === undefined ? [] : [e.code])),
  };
}

function toInbound(m: InboundObject, wabaId: string, phone: string): InboundEvent {
  return {
    kind: 'inbound',
    dedupeKey: `inbound:${m.id}`,
    wabaId,
    phoneNumberId: phone,
    atMs: toMs(m.timestamp),
    raw: m,
    messageId: m.id,
    from: m.from,
    referralSourceId: m.referral?.source_id ?? null,
    referral: m.referral !== undefined,
  };
}

function toCall(c: CallObject, wabaId: string, phone: string): CallEvent {
  // A connect without direction is user-initiated (Meta only marks business-initiated connects).
  const dir = c.direction?.toLowerCase() ?? (c.event === 'connect' ? 'user_initiated' : undefined);
  const direction = dir === 'business_initiated' || dir === 'user_initiated' ? dir : null;
  return {
    kind: 'call',
    dedupeKey: `call:${c.id}:${c.event}`,
    wabaId,
    phoneNumberId: phone,
    atMs: toMs(c.timestamp),
    raw: c,
    callId: c.id,
    event: c.event,
    direction,
    durationSec: c.duration ?? null,
    userNumber: (direction === 'business_initiated' ? c.to : c.from) ?? null,
    startMs: c.start_time === undefined ? null : toMs(c.start_time),
  };
}

/**
 * Flattens a validated envelope into one event per status, inbound message, call event or other
 * change. `receivedAtMs` dates changes that carry no time of their own. Throws InputError naming the
 * JSON path of the first invalid field.
 */
export function normaliseEnvelope(envelope: Envelope, receivedAtMs: number): WebhookEvent[] {
  const out: WebhookEvent[] = [];
  envelope.entry.forEach((entry, ei) => {
    const wabaId = entry.id;
    const entryMs = entry.time === undefined ? receivedAtMs : entry.time * 1000;
    entry.changes.forEach((change, ci) => {
      const base = `entry[${ei}].changes[${ci}].value`;
      if (change.field === 'messages') {
        const v = parseAt(messagesValueSchema, change.value, base);
        const phone = v.metadata.phone_number_id;
        (v.statuses ?? []).forEach((s) => out.push(toStatus(s, wabaId, phone)));
        (v.messages ?? []).forEach((m) => out.push(toInbound(m, wabaId, phone)));
      } else if (change.field === 'calls') {
        const v = parseAt(callsValueSchema, change.value, base);
        v.calls.forEach((c) => out.push(toCall(c, wabaId, v.metadata.phone_number_id)));
      } else {
        const kind =
          change.field === 'account_update' ? 'account_update' : TEMPLATE_FIELDS.has(change.field) ? 'template_category' : 'unknown';
        if (kind === 'account_update') parseAt(accountUpdateValueSchema, change.value, base);
        out.push({
          kind,
          field: change.field,
          dedupeKey: hashKey(change.field, wabaId, change.value),
          wabaId,
          phoneNumberId: null,
          atMs: entryMs,
          raw: change.value,
        });
      }
    });
  });
  return out;
}
