import { InputError, localDay, marketOf, OTHER_MARKET } from '@core';
import type { CallEvent } from '../ingest';

export interface CallState {
  callId: string;
  wabaId: string;
  phoneNumberId: string | null;
  direction: string | null;
  userNumber: string | null;
  connectedAtMs: number | null;
  startMs: number | null;
  terminatedAtMs: number | null;
  durationSec: number | null;
}

export interface CallKey {
  day: string;
  wabaId: string;
  phoneNumberId: string;
  country: string;
  market: string;
  direction: string;
}

/** Folds a connect or terminate into the call; terminate's fields win because they are final. */
export function foldCall(prev: CallState | null, e: CallEvent): CallState {
  const s: CallState = prev
    ? { ...prev }
    : {
        callId: e.callId,
        wabaId: e.wabaId,
        phoneNumberId: null,
        direction: null,
        userNumber: null,
        connectedAtMs: null,
        startMs: null,
        terminatedAtMs: null,
        durationSec: null,
      };
  s.phoneNumberId ??= e.phoneNumberId;
  s.userNumber ??= e.userNumber;
  if (e.event === 'connect') {
    s.connectedAtMs = e.atMs;
    s.direction ??= e.direction;
  } else if (e.event === 'terminate') {
    s.terminatedAtMs = e.atMs;
    s.direction = e.direction ?? s.direction;
    s.durationSec = e.durationSec ?? s.durationSec;
    s.startMs = e.startMs ?? s.startMs;
  }
  return s;
}

/** A call counts once it has terminated, on the WABA-local day it started (connect time when start_time is missing). */
export function callKeyOf(s: CallState, timeZone: string): CallKey | null {
  if (s.terminatedAtMs === null) return null;
  const day = localDay(s.startMs ?? s.connectedAtMs ?? s.terminatedAtMs, timeZone);
  let iso2: string | null = null;
  let market = OTHER_MARKET;
  if (s.userNumber !== null) {
    try {
      const m = marketOf(s.userNumber, day, 'calls[].from');
      iso2 = m.iso2;
      market = m.market;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }
  return { day, wabaId: s.wabaId, phoneNumberId: s.phoneNumberId ?? '', country: iso2 ?? '', market, direction: s.direction ?? '' };
}

export const CALL_KEY_COLUMNS = ['day', 'waba_id', 'phone_number_id', 'country', 'market', 'direction'] as const;

export const callKeyValues = (k: CallKey): string[] => [k.day, k.wabaId, k.phoneNumberId, k.country, k.market, k.direction];
