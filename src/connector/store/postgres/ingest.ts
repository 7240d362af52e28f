import { Hll, InputError, localDay, marketOf } from '@core';
import { addMark, type PendingMarks } from '../priced-rollups';
import { markDirtyPart } from './priced-rollups';
import { BatchedWrites, columns, createAndLock, unnestOf } from './batched-statements';
import type { PoolClient } from 'pg';
import type { CallEvent, InboundEvent, StatusEvent, WebhookEvent } from '../../ingest';
import { CALL_KEY_COLUMNS, callKeyOf, callKeyValues, foldCall, type CallState } from '../call-state';
import {
  conversationOf,
  foldConversation,
  foldStatus,
  keyValues,
  PRICING_KEY_COLUMNS,
  unitsOf,
  usageKeyOf,
  USAGE_KEY_COLUMNS,
  type ConversationState,
  type MessageState,
} from '../message-state';
import { contactEventOf, inferVerdict, LOOKBACK_MS, withInferred, type ContactEvent } from '../window-inference';
import type { IngestResult } from '../store';
import { sketchOfText, textOfSketch } from '../sketch-text';

/*
 * One ingest batch as one PostgreSQL transaction, safe against other replicas ingesting the same
 * events at the same time:
 *  - raw_events INSERT ... ON CONFLICT DO NOTHING RETURNING says which events are new to the database;
 *    a replica inserting the same key waits for ours to commit or roll back, so exactly one counts it.
 *  - the message and call rows touched are locked (SELECT ... FOR UPDATE) before folding, so two
 *    transactions folding the same wamid serialise instead of losing an update.
 *  - counters are added in SQL (messages = usage_daily.messages + excluded.messages), never written
 *    from a value read earlier; sketches are merged under a row lock.
 * Every phase takes its locks in sorted key order and the phases run in the same order in every
 * transaction, so replicas do not deadlock on each other; the caller still retries on 40P01/40001.
 * Statements are few because each one waits for the server (batched-statements.ts): a batch of new
 * messages' statuses is BEGIN, the raw events, the messages created and locked, the day sketches
 * created and locked, every write the batch does not read back as one statement, /health's count,
 * COMMIT. Reads for window inference, conversations and calls add their own when the batch has them.
 */

type Status = StatusEvent;

interface MessageRow {
  wamid: string;
  waba_id: string;
  phone_number_id: string | null;
  recipient: string | null;
  grp: string | null;
  delivered_at_ms: string | null;
  failed_at_ms: string | null;
  category: string | null;
  pricing_type: string | null;
  pricing_model: string | null;
  billable: boolean | null;
  counted_key: string | null;
  counted_units: string;
  verdict_source: 'meta' | 'inferred' | null;
  conversation_id: string | null;
  conversation_origin: string | null;
  conversation_expires_ms: string | null;
}

interface ConversationRow {
  waba_id: string;
  conversation_id: string;
  origin: string | null;
  first_at_ms: string | null;
  first_wamid: string | null;
  base_key: string | null;
  counted_key: string | null;
}

interface CallRow {
  call_id: string;
  waba_id: string;
  phone_number_id: string | null;
  direction: string | null;
  user_number: string | null;
  connected_at_ms: string | null;
  start_ms: string | null;
  terminated_at_ms: string | null;
  duration_sec: string | null;
  counted_key: string | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

const toMessageState = (r: MessageRow): MessageState => ({
  wamid: r.wamid,
  wabaId: r.waba_id,
  phoneNumberId: r.phone_number_id,
  recipient: r.recipient,
  group: r.grp,
  deliveredAtMs: num(r.delivered_at_ms),
  failedAtMs: num(r.failed_at_ms),
  category: r.category,
  pricingType: r.pricing_type,
  pricingModel: r.pricing_model,
  billable: r.billable,
  verdictSource: r.verdict_source,
  conversationId: r.conversation_id,
  conversationOrigin: r.conversation_origin,
  conversationExpiresMs: num(r.conversation_expires_ms),
});

const toCallState = (r: CallRow): CallState => ({
  callId: r.call_id,
  wabaId: r.waba_id,
  phoneNumberId: r.phone_number_id,
  direction: r.direction,
  userNumber: r.user_number,
  connectedAtMs: num(r.connected_at_ms),
  startMs: num(r.start_ms),
  terminatedAtMs: num(r.terminated_at_ms),
  durationSec: num(r.duration_sec),
});

/** Same rule as the SQLite inbound rollup: a sender that is not a phone number is kept, country unknown. */
function countryOf(from: string, day: string): string {
  try {
    return marketOf(from, day, 'messages[].from').iso2 ?? '';
  } catch (err) {
    if (err instanceof InputError) return '';
    throw err;
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sums of deltas per key (the key's JSON array of values), applied in key order. */
class Deltas<V extends number[]> {
  private readonly map = new Map<string, V>();
  constructor(private readonly zero: () => V) {}

  add(keyJson: string, delta: V): void {
    let cur = this.map.get(keyJson);
    if (!cur) {
      cur = this.zero();
      this.map.set(keyJson, cur);
    }
    for (let i = 0; i < delta.length; i++) cur[i] = (cur[i] as number) + (delta[i] as number);
  }

  /** Non-zero entries in key order, each as key values followed by the deltas. */
  rows(): { values: (string | number)[]; negative: boolean }[] {
    return [...this.map.entries()]
      .filter(([, d]) => d.some((x) => x !== 0))
      .sort(([a], [b]) => byText(a, b))
      .map(([k, d]) => ({ values: [...(JSON.parse(k) as string[]), ...d], negative: d.some((x) => x < 0) }));
  }
}

/** Contacts noted during the batch, merged into the day sketches once at the end. */
class ContactNotes {
  readonly pending = new Map<string, Set<string>>();

  note(day: string, wabaId: string, phoneNumberId: string | null, contact: string): void {
    const key = JSON.stringify([day, wabaId, phoneNumberId ?? '']);
    let set = this.pending.get(key);
    if (!set) {
      set = new Set();
      this.pending.set(key, set);
    }
    set.add(contact);
  }
}

/**
 * Rows go in in dedupe-key order (so two replicas inserting overlapping batches wait on each other in
 * the same order instead of deadlocking), but seq is drawn first and handed out in arrival order, so
 * reads ordered by seq see the events as they came, as with SQLite: the statement draws one seq per
 * event, ranks them, and gives the event that arrived n-th the n-th smallest.
 */
async function insertRawEvents(c: PoolClient, events: readonly WebhookEvent[], receivedAtMs: number): Promise<Set<string>> {
  const sorted = events.map((e, i) => ({ e, arrival: i + 1 })).sort((a, b) => byText(a.e.dedupeKey, b.e.dedupeKey));
  const rows = sorted.map(({ e, arrival }) => [arrival, e.dedupeKey, e.kind, e.wabaId, e.phoneNumberId, e.atMs, JSON.stringify(e.raw)]);
  const res = await c.query<{ dedupe_key: string }>(
    `WITH drawn AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('raw_events', 'seq')) AS seq FROM generate_series(1, $9::int)),
       ranked AS (SELECT seq, row_number() OVER (ORDER BY seq) AS arrival FROM drawn)
     INSERT INTO raw_events (seq, dedupe_key, kind, waba_id, phone_number_id, at_ms, body, received_at_ms) OVERRIDING SYSTEM VALUE
     SELECT r.seq, u.dedupe_key, u.kind, u.waba_id, u.phone_number_id, u.at_ms, u.body, $8::bigint
       FROM ${unnestOf(['bigint', 'text', 'text', 'text', 'text', 'bigint', 'text'])} WITH ORDINALITY
         AS u(arrival, dedupe_key, kind, waba_id, phone_number_id, at_ms, body, pos)
       JOIN ranked r ON r.arrival = u.arrival
      ORDER BY u.pos
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`,
    [...columns(rows, 7), receivedAtMs, events.length],
  );
  return new Set(res.rows.map((r) => r.dedupe_key));
}

/** Creates missing rows (so there is something to lock) and locks every row of `ids`, in id order. */
async function lockRows<R>(
  c: PoolClient,
  table: 'messages' | 'calls',
  idColumn: 'wamid' | 'call_id',
  firstWaba: Map<string, string>,
): Promise<Map<string, R>> {
  const ids = [...firstWaba.keys()].sort(byText);
  const locked = await createAndLock(
    c,
    table,
    [idColumn],
    [idColumn, 'waba_id'],
    ['text', 'text'],
    ids.map((id) => [id, firstWaba.get(id)]),
  );
  return new Map([...locked.values()].map((r) => [r[idColumn] as string, r as R]));
}

/**
 * Inserts the batch's window openers and, in the same statement, finds the inferred messages of their
 * contacts delivered within LOOKBACK_MS after a new one (wamid -> WABA): those are classified again.
 */
async function insertContactEvents(c: PoolClient, added: readonly WebhookEvent[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const byKey = new Map<string, ContactEvent>();
  for (const e of added) {
    const ce = contactEventOf(e);
    if (ce) byKey.set(JSON.stringify([ce.phoneNumberId, ce.contact, ce.atMs, ce.kind, ce.id]), ce);
  }
  if (byKey.size === 0) return out;
  const rows = [...byKey.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([, e]) => [e.phoneNumberId, e.contact, e.atMs, e.kind, e.id, e.referral]);
  const res = await c.query<{ wamid: string; waba_id: string }>(
    `WITH ins AS (
       INSERT INTO contact_events (phone_number_id, contact, at_ms, kind, id, referral)
       SELECT * FROM ${unnestOf(['text', 'text', 'bigint', 'text', 'text', 'boolean'])}
       ON CONFLICT DO NOTHING RETURNING phone_number_id, contact, at_ms)
     SELECT DISTINCT m.wamid, m.waba_id FROM messages m JOIN ins
       ON m.phone_number_id = ins.phone_number_id AND m.recipient = ins.contact
      AND m.delivered_at_ms >= ins.at_ms AND m.delivered_at_ms <= ins.at_ms + $7::bigint
     WHERE m.verdict_source = 'inferred'`,
    [...columns(rows, 6), LOOKBACK_MS],
  );
  for (const r of res.rows) out.set(r.wamid, r.waba_id);
  return out;
}

/** The stored history the classifier needs for these messages: their contacts' window openers and outbound messages. */
async function historyOf(
  c: PoolClient,
  targets: readonly MessageState[],
): Promise<{ events: Map<string, ContactEvent[]>; outbound: Map<string, MessageState[]> }> {
  const ranges = new Map<string, [string, string, number, number]>();
  for (const s of targets) {
    const at = s.deliveredAtMs as number;
    const k = JSON.stringify([s.phoneNumberId ?? '', s.recipient ?? '']);
    const r = ranges.get(k);
    if (r) ranges.set(k, [r[0], r[1], Math.min(r[2], at - LOOKBACK_MS), Math.max(r[3], at)]);
    else ranges.set(k, [s.phoneNumberId ?? '', s.recipient ?? '', at - LOOKBACK_MS, at]);
  }
  const args = columns([...ranges.values()], 4);
  const join = `${unnestOf(['text', 'text', 'bigint', 'bigint'])} AS p(phone, contact, lo, hi)`;
  const [ev, msg] = await Promise.all([
    c.query<{ phone_number_id: string; contact: string; at_ms: string; kind: string; id: string; referral: boolean }>(
      `SELECT e.* FROM contact_events e JOIN ${join} ON e.phone_number_id = p.phone AND e.contact = p.contact AND e.at_ms >= p.lo AND e.at_ms <= p.hi`,
      args,
    ),
    c.query<MessageRow>(
      `SELECT m.* FROM messages m JOIN ${join} ON m.phone_number_id = p.phone AND m.recipient = p.contact AND m.delivered_at_ms >= p.lo AND m.delivered_at_ms <= p.hi`,
      args,
    ),
  ]);
  const events = new Map<string, ContactEvent[]>();
  for (const r of ev.rows) {
    const k = JSON.stringify([r.phone_number_id, r.contact]);
    const list = events.get(k) ?? [];
    list.push({
      phoneNumberId: r.phone_number_id,
      contact: r.contact,
      atMs: Number(r.at_ms),
      kind: r.kind as ContactEvent['kind'],
      id: r.id,
      referral: r.referral,
    });
    events.set(k, list);
  }
  const outbound = new Map<string, MessageState[]>();
  for (const r of msg.rows) {
    const k = JSON.stringify([r.phone_number_id ?? '', r.recipient ?? '']);
    const list = outbound.get(k) ?? [];
    list.push(toMessageState(r));
    outbound.set(k, list);
  }
  return { events, outbound };
}

async function applyStatuses(
  c: PoolClient,
  statuses: readonly Status[],
  reclassify: Map<string, string>,
  timeZoneOf: (waba: string) => string,
  usage: Deltas<[number, number]>,
  contacts: ContactNotes,
  writes: BatchedWrites,
): Promise<void> {
  const firstWaba = new Map<string, string>();
  for (const e of statuses) if (!firstWaba.has(e.wamid)) firstWaba.set(e.wamid, e.wabaId);
  for (const [wamid, waba] of reclassify) if (!firstWaba.has(wamid)) firstWaba.set(wamid, waba);
  const locked = await lockRows<MessageRow>(c, 'messages', 'wamid', firstWaba);

  // Each message goes from its stored contribution straight to its final state of this batch.
  const stored = new Map<string, MessageRow>(locked);
  const current = new Map<string, MessageState>();
  for (const [wamid, row] of locked) current.set(wamid, toMessageState(row));
  for (const e of statuses) current.set(e.wamid, foldStatus(current.get(e.wamid) ?? null, e));

  const targets = [...current.values()].filter((s) => s.verdictSource !== 'meta' && s.deliveredAtMs !== null);
  if (targets.length > 0) {
    const history = await historyOf(c, targets);
    for (const s of targets.sort((a, b) => (a.deliveredAtMs as number) - (b.deliveredAtMs as number) || byText(a.wamid, b.wamid))) {
      const k = JSON.stringify([s.phoneNumberId ?? '', s.recipient ?? '']);
      // The batch's own states win over what was read (the rows are locked, so only this batch changes them).
      const outbound = new Map((history.outbound.get(k) ?? []).map((m) => [m.wamid, m]));
      for (const m of current.values())
        if ((m.phoneNumberId ?? '') === (s.phoneNumberId ?? '') && (m.recipient ?? '') === (s.recipient ?? '')) outbound.set(m.wamid, m);
      current.set(s.wamid, withInferred(s, inferVerdict(s, history.events.get(k) ?? [], [...outbound.values()], timeZoneOf(s.wabaId))));
    }
  }

  const finals: { state: MessageState; counted: string | null; units: number }[] = [];
  const conversationMembers = new Map<string, { state: MessageState; key: NonNullable<ReturnType<typeof usageKeyOf>> }[]>();
  for (const next of current.values()) {
    const row = stored.get(next.wamid);
    const key = usageKeyOf(next, timeZoneOf(next.wabaId));
    const keyText = key ? JSON.stringify(keyValues(key)) : null;
    const units = unitsOf(next, key);
    const prevText = row?.counted_key ?? null;
    const prevUnits = row ? Number(row.counted_units ?? 0) : 0;
    // A delivery learnt later can move the count to an earlier day: take it off the old key first.
    if (prevText !== keyText || prevUnits !== units) {
      if (prevText) usage.add(prevText, [-1, -prevUnits]);
      if (key && keyText) usage.add(keyText, [1, units]);
      if (key && next.recipient && prevText !== keyText) contacts.note(key.day, key.wabaId, next.phoneNumberId, next.recipient);
    }
    const conversation = conversationOf(next, key);
    if (conversation !== null && key !== null) {
      const ck = JSON.stringify([next.wabaId, conversation]);
      const list = conversationMembers.get(ck) ?? [];
      list.push({ state: { ...next, conversationId: conversation }, key });
      conversationMembers.set(ck, list);
    }
    finals.push({ state: next, counted: keyText, units });
  }
  if (conversationMembers.size > 0) await applyConversations(c, conversationMembers, usage, writes);

  const rows = finals
    .sort((a, b) => byText(a.state.wamid, b.state.wamid))
    .map(({ state: s, counted, units }) => [
      s.wamid,
      s.phoneNumberId,
      s.recipient,
      s.group,
      s.deliveredAtMs,
      s.failedAtMs,
      s.category,
      s.pricingType,
      s.pricingModel,
      s.billable,
      counted,
      units,
      s.verdictSource,
      s.conversationId,
      s.conversationOrigin,
      s.conversationExpiresMs,
    ]);
  writes.add({
    sql: (
      from,
    ) => `UPDATE messages m SET phone_number_id = u.phone_number_id, recipient = u.recipient, grp = u.grp, delivered_at_ms = u.delivered_at_ms,
       failed_at_ms = u.failed_at_ms, category = u.category, pricing_type = u.pricing_type, pricing_model = u.pricing_model, billable = u.billable,
       counted_key = u.counted_key, counted_units = u.counted_units, verdict_source = u.verdict_source, conversation_id = u.conversation_id,
       conversation_origin = u.conversation_origin, conversation_expires_ms = u.conversation_expires_ms
     FROM ${unnestOf(['text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'text', 'boolean', 'text', 'bigint', 'text', 'text', 'text', 'bigint'], from)}
       AS u(wamid, phone_number_id, recipient, grp, delivered_at_ms, failed_at_ms, category, pricing_type, pricing_model, billable, counted_key,
         counted_units, verdict_source, conversation_id, conversation_origin, conversation_expires_ms)
     WHERE m.wamid = u.wamid`,
    args: columns(rows, 16),
  });
}

/** Moves each touched CBP conversation's unit to the key of its earliest delivered message (rows locked in key order). */
async function applyConversations(
  c: PoolClient,
  members: Map<string, { state: MessageState; key: NonNullable<ReturnType<typeof usageKeyOf>> }[]>,
  usage: Deltas<[number, number]>,
  writes: BatchedWrites,
): Promise<void> {
  const keys = [...members.keys()].sort(byText).map((k) => JSON.parse(k) as [string, string]);
  const stored = (await createAndLock(
    c,
    'conversations',
    ['waba_id', 'conversation_id'],
    ['waba_id', 'conversation_id'],
    ['text', 'text'],
    keys,
  )) as unknown as Map<string, ConversationRow>;
  const out: unknown[][] = [];
  for (const k of keys) {
    const text = JSON.stringify(k);
    const r = stored.get(text);
    let conv: ConversationState | null = r
      ? {
          wabaId: r.waba_id,
          conversationId: r.conversation_id,
          origin: r.origin,
          firstAtMs: num(r.first_at_ms),
          firstWamid: r.first_wamid,
          baseKey: r.base_key,
          countedKey: r.counted_key,
        }
      : null;
    const before = conv?.countedKey ?? null;
    for (const m of members.get(text) ?? []) conv = foldConversation(conv, m.state, m.key);
    if (!conv) continue;
    if (before !== conv.countedKey) {
      if (before) usage.add(before, [0, -1]);
      if (conv.countedKey) usage.add(conv.countedKey, [0, 1]);
    }
    out.push([conv.wabaId, conv.conversationId, conv.origin, conv.firstAtMs, conv.firstWamid, conv.baseKey, conv.countedKey]);
  }
  writes.add({
    sql: (
      from,
    ) => `UPDATE conversations t SET origin = u.origin, first_at_ms = u.first_at_ms, first_wamid = u.first_wamid, base_key = u.base_key,
       counted_key = u.counted_key
     FROM ${unnestOf(['text', 'text', 'text', 'bigint', 'text', 'text', 'text'], from)}
       AS u(waba_id, conversation_id, origin, first_at_ms, first_wamid, base_key, counted_key)
     WHERE t.waba_id = u.waba_id AND t.conversation_id = u.conversation_id`,
    args: columns(out, 7),
  });
}

async function applyCalls(
  c: PoolClient,
  calls: readonly CallEvent[],
  timeZoneOf: (waba: string) => string,
  rollup: Deltas<[number, number, number]>,
  markDay: (wabaId: string, day: string) => void,
  writes: BatchedWrites,
): Promise<void> {
  const firstWaba = new Map<string, string>();
  for (const e of calls) if (!firstWaba.has(e.callId)) firstWaba.set(e.callId, e.wabaId);
  const locked = await lockRows<CallRow>(c, 'calls', 'call_id', firstWaba);
  const current = new Map<string, { state: CallState; counted: string | null }>();
  for (const [id, row] of locked) current.set(id, { state: toCallState(row), counted: row.counted_key });
  const contribution = (duration: number, sign: 1 | -1): [number, number, number] => [sign, duration > 0 ? sign : 0, sign * duration];
  for (const e of calls) {
    const cur = current.get(e.callId);
    const next = foldCall(cur ? cur.state : null, e);
    const key = callKeyOf(next, timeZoneOf(e.wabaId));
    const keyText = key ? JSON.stringify(callKeyValues(key)) : null;
    // A late connect can move a call to another day: the old contribution is removed whole, then re-added.
    if (cur?.counted) rollup.add(cur.counted, contribution(cur.state.durationSec ?? 0, -1));
    if (keyText) rollup.add(keyText, contribution(next.durationSec ?? 0, 1));
    // Both keys' months are owed a pricing of their calls (start order and durations count for tiers).
    if (cur?.counted) {
      const [day, wabaId] = JSON.parse(cur.counted) as [string, string];
      markDay(wabaId, day);
    }
    if (key) markDay(key.wabaId, key.day);
    current.set(e.callId, { state: next, counted: keyText });
  }
  const rows = [...current.values()]
    .sort((a, b) => byText(a.state.callId, b.state.callId))
    .map(({ state: s, counted }) => [
      s.callId,
      s.phoneNumberId,
      s.direction,
      s.userNumber,
      s.connectedAtMs,
      s.startMs,
      s.terminatedAtMs,
      s.durationSec,
      counted,
    ]);
  writes.add({
    sql: (
      from,
    ) => `UPDATE calls k SET phone_number_id = u.phone_number_id, direction = u.direction, user_number = u.user_number, connected_at_ms = u.connected_at_ms,
       start_ms = u.start_ms, terminated_at_ms = u.terminated_at_ms, duration_sec = u.duration_sec, counted_key = u.counted_key
     FROM ${unnestOf(['text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'text'], from)}
       AS u(call_id, phone_number_id, direction, user_number, connected_at_ms, start_ms, terminated_at_ms, duration_sec, counted_key)
     WHERE k.call_id = u.call_id`,
    args: columns(rows, 9),
  });
}

/** Adds the deltas to a counter table in key order, then drops rows a negative delta emptied (every counter at zero). */
function addCounters(
  writes: BatchedWrites,
  table: string,
  keyColumns: readonly string[],
  counterColumns: readonly string[],
  deltas: { values: (string | number)[]; negative: boolean }[],
): void {
  if (deltas.length === 0) return;
  const all = [...keyColumns, ...counterColumns];
  const types = [...keyColumns.map(() => 'text'), ...counterColumns.map(() => 'bigint')];
  writes.add({
    sql: (from) => `INSERT INTO ${table} (${all.join(', ')}) SELECT * FROM ${unnestOf(types, from)}
     ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${counterColumns.map((col) => `${col} = ${table}.${col} + excluded.${col}`).join(', ')}`,
    args: columns(
      deltas.map((d) => d.values),
      all.length,
    ),
  });
  const emptied = deltas.filter((d) => d.negative).map((d) => d.values.slice(0, keyColumns.length));
  if (emptied.length === 0) return;
  // It must see the sums the upsert wrote, so it is a statement of its own, after the batched writes.
  writes.after({
    sql: (from) => `DELETE FROM ${table} t USING ${unnestOf(
      keyColumns.map(() => 'text'),
      from,
    )} AS k(${keyColumns.join(', ')})
     WHERE ${keyColumns.map((col) => `t.${col} = k.${col}`).join(' AND ')} AND ${counterColumns.map((col) => `t.${col} <= 0`).join(' AND ')}`,
    args: columns(emptied, keyColumns.length),
  });
}

/** Merges the noted contacts into the day sketches, each sketch row locked while it is rewritten. */
async function mergeContacts(c: PoolClient, notes: ContactNotes, writes: BatchedWrites): Promise<void> {
  if (notes.pending.size === 0) return;
  const keys = [...notes.pending.keys()].sort(byText).map((k) => JSON.parse(k) as [string, string, string]);
  // '' marks a row created only so that it can be locked; it is overwritten below, in this transaction.
  const stored = await createAndLock(
    c,
    'contacts_daily',
    ['day', 'waba_id', 'phone_number_id'],
    ['day', 'waba_id', 'phone_number_id', 'sketch'],
    ['text', 'text', 'text', 'text'],
    keys.map((k) => [...k, '']),
  );
  const rows = keys.map((k) => {
    const text = JSON.stringify(k);
    const sketch = stored.get(text)?.sketch as string | undefined;
    const hll = sketch ? sketchOfText(sketch) : new Hll();
    for (const contact of notes.pending.get(text) ?? []) hll.add(contact);
    return [...k, textOfSketch(hll)];
  });
  writes.add({
    sql: (from) => `UPDATE contacts_daily t SET sketch = u.sketch
     FROM ${unnestOf(['text', 'text', 'text', 'text'], from)} AS u(day, waba_id, phone_number_id, sketch)
     WHERE t.day = u.day AND t.waba_id = u.waba_id AND t.phone_number_id = u.phone_number_id`,
    args: columns(rows, 4),
  });
}

/**
 * PostgreSQL text cannot hold U+0000, which SQLite stores happily. Failing the webhook would make Meta
 * retry it forever, so a NUL in an id or other text field becomes U+FFFD, the same on every replica
 * (the raw body is JSON, where NUL is already escaped).
 */
function withoutNul(e: WebhookEvent): WebhookEvent {
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'string' && v.includes('\u0000')) {
      copy ??= { ...e };
      copy[k] = v.replaceAll('\u0000', '\uFFFD');
    }
  }
  return (copy as WebhookEvent | null) ?? e;
}

/**
 * /health's figures (migrations 015, 016): the events this transaction inserted and when, added to
 * one of sixteen slots that `eventStats` sums. The slot is the first one no other transaction holds
 * (SKIP LOCKED), so two replicas' ingests never wait for each other here: with one row, the second
 * waited until the first had committed, and their commits took turns. Chosen by lock rather than by
 * backend pid, a random slot per store or round robin, each of which puts two replicas on the same
 * slot one time in sixteen; only when sixteen transactions hold every slot does one wait (for slot 1).
 * Last in the transaction on purpose: the slot is locked only from here to COMMIT, and no row is
 * locked after it (it cannot be part of a deadlock). A statement of its own, after the batched writes:
 * as a part of them (one snapshot, taken before their row locks were waited for) it lost increments
 * when two replicas ingested at once (tests/store/postgres.test.ts, "counts every event exactly
 * once"), where on its own it adds to the slot's latest committed value.
 */
function countStored(writes: BatchedWrites, inserted: number, receivedAtMs: number): void {
  if (inserted === 0) return;
  writes.after({
    sql: (from) => `UPDATE raw_event_stats SET events = events + $${from}::bigint,
       last_received_at_ms = GREATEST(last_received_at_ms, $${from + 1}::bigint)
     WHERE id = COALESCE((SELECT id FROM raw_event_stats ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED), 1)`,
    args: [inserted, receivedAtMs],
  });
}

/** Ingests one batch inside the caller's transaction; keeps no state between calls, so a retry is safe. */
export async function ingestBatch(
  c: PoolClient,
  batch: readonly WebhookEvent[],
  receivedAtMs: number,
  timeZoneOf: (wabaId: string) => string,
): Promise<IngestResult> {
  if (batch.length === 0) return { inserted: 0, duplicates: 0 };
  const events = batch.map(withoutNul);
  // A key repeated within the batch is a duplicate like any other: the first occurrence is the one kept.
  const first = new Map<string, WebhookEvent>();
  for (const e of events) if (!first.has(e.dedupeKey)) first.set(e.dedupeKey, e);
  const fresh = await insertRawEvents(c, [...first.values()], receivedAtMs);
  const added = [...first.values()].filter((e) => fresh.has(e.dedupeKey));

  const usage = new Deltas<[number, number]>(() => [0, 0]);
  const callRollup = new Deltas<[number, number, number]>(() => [0, 0, 0]);
  const inbound = new Deltas<[number]>(() => [0]);
  const contacts = new ContactNotes();

  const statuses = added.filter((e): e is Status => e.kind === 'status');
  const calls = added.filter((e): e is CallEvent => e.kind === 'call');
  // Window openers go in first, so the batch's own inbound messages and calls are part of the history the classifier reads.
  const reclassify = await insertContactEvents(c, added);
  const writes = new BatchedWrites();
  if (statuses.length > 0 || reclassify.size > 0) await applyStatuses(c, statuses, reclassify, timeZoneOf, usage, contacts, writes);
  // The re-pricer's marks (migration 013): per WABA and month, the batch's first day (usage, and calls
  // since 017) and the kinds it owes a pricing (022).
  const dirty: PendingMarks = new Map();
  if (calls.length > 0) await applyCalls(c, calls, timeZoneOf, callRollup, (wabaId, day) => addMark(dirty, wabaId, day, 'calls'), writes);
  for (const e of added.filter((x): x is InboundEvent => x.kind === 'inbound')) {
    const day = localDay(e.atMs, timeZoneOf(e.wabaId));
    inbound.add(JSON.stringify([day, e.wabaId, e.phoneNumberId ?? '', countryOf(e.from, day), e.referralSourceId ?? '']), [1]);
    contacts.note(day, e.wabaId, e.phoneNumberId, e.from);
  }

  const usageRows = usage.rows();
  addCounters(writes, 'usage_daily', USAGE_KEY_COLUMNS, ['messages', 'units'], usageRows);
  // The pricing-grain twin: the same deltas without phone, country and group (key positions 0,1,4,5,6,7).
  const pricing = new Deltas<[number, number]>(() => [0, 0]);
  for (const r of usageRows) {
    const v = r.values;
    pricing.add(JSON.stringify([v[0], v[1], v[4], v[5], v[6], v[7]]), [Number(v[9]), Number(v[10])]);
  }
  addCounters(writes, 'usage_pricing', PRICING_KEY_COLUMNS, ['messages', 'units'], pricing.rows());
  for (const r of usageRows) addMark(dirty, String(r.values[1]), String(r.values[0]), 'usage');
  if (dirty.size > 0) writes.add(markDirtyPart(dirty));
  addCounters(writes, 'calls_daily', CALL_KEY_COLUMNS, ['calls', 'connected_calls', 'duration_sec'], callRollup.rows());
  addCounters(
    writes,
    'inbound_daily',
    ['day', 'waba_id', 'phone_number_id', 'country', 'referral_source_id'],
    ['messages'],
    inbound.rows(),
  );
  // Every row the writes touch is locked by now or is locked by them in key order, one table per part.
  await mergeContacts(c, contacts, writes);
  countStored(writes, added.length, receivedAtMs);
  await writes.send(c);
  return { inserted: added.length, duplicates: events.length - added.length };
}
