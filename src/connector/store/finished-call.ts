import type { FinishedCall } from './connector-store';

/** One stored call as both engines read it (PostgreSQL's numbers may come as strings). */
export interface StoredCallRow {
  call_id: unknown;
  start_ms: unknown;
  connected_at_ms: unknown;
  terminated_at_ms: unknown;
  duration_sec: unknown;
  counted_key: unknown;
}

type CountedKey = Pick<FinishedCall, 'day' | 'wabaId' | 'phoneNumberId' | 'country' | 'market' | 'direction'>;

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Turns stored call rows into `FinishedCall`s for one read. Calls counted under the same calls_daily
 * key share one parsed key (its strings too): a month of a large sender is some 100,000 calls over a
 * few tens of thousands of keys, and a JSON parse per call made the re-pricer's month read hold a
 * fresh copy of every key string of every call.
 */
export function finishedCallReader(): (r: StoredCallRow) => FinishedCall {
  const keys = new Map<string, CountedKey>();
  return (r) => {
    const text = String(r.counted_key);
    let key = keys.get(text);
    if (!key) {
      const [day = '', wabaId = '', phone = '', country = '', market = '', direction = ''] = JSON.parse(text) as string[];
      key = { day, wabaId, phoneNumberId: phone || null, country: country || null, market, direction: direction || null };
      keys.set(text, key);
    }
    return {
      callId: String(r.call_id),
      ...key,
      startMs: numberOrNull(r.start_ms) ?? numberOrNull(r.connected_at_ms) ?? numberOrNull(r.terminated_at_ms) ?? 0,
      durationSec: numberOrNull(r.duration_sec) ?? 0,
    };
  };
}
