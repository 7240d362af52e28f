import { InputError } from '../errors';
import { divRound, type Micros } from '../model/money';
import type { CallRecord, PricedCall, PricingProblem } from '../model/usage';
import { callRateCardInForce, type PriceBook } from '../ratecard/price-book';
import type { CallTier } from '../ratecard/call-rates';
import { assertDay } from '../time/calendar';
import { ProblemCollector } from './problems';
import { tierKey } from './tier-ladder';

export const PULSE_SEC = 6;
export const PULSES_PER_MINUTE = 10;
/** Rate column name used in call tier keys: tierKey(portfolioId, market, CALLS_COLUMN, month). */
export const CALLS_COLUMN = 'calls';

/** Billed 6-second pulses: a partial pulse counts as a whole one (56 s = 9.33 -> 10 pulses). */
export function pulsesOf(durationSec: number): number {
  return Math.ceil(durationSec / PULSE_SEC);
}

/**
 * Cost of one call: pulses x rate per minute / 10, rounded once per call to a whole micro-unit,
 * half away from zero (divRound). Per-minute rates have at most 6 decimals, so the only rounding is
 * this one; sums of calls are exact sums of these.
 */
export function callCostMicros(pulses: number, ratePerMinuteMicros: Micros): Micros {
  return divRound(BigInt(pulses) * ratePerMinuteMicros, BigInt(PULSES_PER_MINUTE));
}

export interface PriceCallsOptions {
  /** Minutes of business-initiated calls already billed in the month, by tierKey(portfolio, market, 'calls', month). */
  priorMinutes?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

export interface PriceCallsResult {
  /** One priced call per input call, in input order. */
  calls: PricedCall[];
  problems: PricingProblem[];
  /** Billed minutes per tier key at the end (prior minutes included). */
  tierMinutes: Map<string, number>;
}

/** Tier of minute number m (from 1). A first tier written "0-50,000" holds minutes 1..50,000. */
function tierOfMinute(ladder: readonly CallTier[], minute: number): CallTier | undefined {
  return ladder.find((t) => t.upperMinutes === null || minute <= t.upperMinutes);
}

/** Field by field rather than a spread, which is several times slower on large batches. */
function toPricedCall(call: CallRecord, pulses: number, costMicros: Micros | null): PricedCall {
  const out: PricedCall = {
    callId: call.callId,
    wabaId: call.wabaId,
    portfolioId: call.portfolioId,
    currency: call.currency,
    day: call.day,
    startMs: call.startMs,
    direction: call.direction,
    durationSec: call.durationSec,
    market: call.market,
    pulses,
    costMicros,
  };
  if (call.dims !== undefined) out.dims = call.dims;
  return out;
}

function assertCall(call: CallRecord, i: number): void {
  const at = (name: string) => `calls[${i}].${name}`;
  if (call === null || typeof call !== 'object') throw new InputError(`calls[${i}]`, call, 'is not a call record');
  if (typeof call.durationSec !== 'number' || !Number.isFinite(call.durationSec) || call.durationSec < 0) {
    throw new InputError(at('durationSec'), call.durationSec, 'must be a number of seconds >= 0');
  }
  if (call.direction !== 'business_initiated' && call.direction !== 'user_initiated') {
    throw new InputError(at('direction'), call.direction, 'must be business_initiated or user_initiated');
  }
  if (!Number.isFinite(call.startMs)) throw new InputError(at('startMs'), call.startMs, 'must be epoch milliseconds');
  assertDay(call.day, at('day'));
}

/** The minute tier a call was priced at (business-initiated calls with a rate). */
export type CallTierUsed = NonNullable<PricedCall['tier']>;

/**
 * Receives each priced call: its index in the input, the call, its pulses, its cost (null: no known
 * rate) and the tier it was priced at. Calls come in start order, not input order.
 */
export type PricedCallSink = (index: number, call: CallRecord, pulses: number, costMicros: Micros | null, tier?: CallTierUsed) => void;

/**
 * Prices calls one by one in start order. User-initiated calls are free. Business-initiated calls
 * are charged per pulse at the callee market's minute tier for the portfolio's WABA-local month; a
 * call that crosses a tier boundary is priced wholly at the cheapest tier it touches (the
 * higher-volume one, Meta's calling pricing page).
 */
export function priceCalls(calls: readonly CallRecord[], book: PriceBook, options: PriceCallsOptions = {}): PriceCallsResult {
  const out: PricedCall[] = new Array(calls.length);
  const { problems, tierMinutes } = priceCallsEach(calls, book, options, (i, call, pulses, costMicros, tier) => {
    const priced = toPricedCall(call, pulses, costMicros);
    if (tier) priced.tier = tier;
    out[i] = priced;
  });
  return { calls: out, problems, tierMinutes };
}

/**
 * `priceCalls` without the priced list: each call goes to `sink` as it is priced, so a caller that
 * sums them (a month of calls re-priced in the connector) never holds a priced copy of every call.
 */
export function priceCallsEach(
  calls: readonly CallRecord[],
  book: PriceBook,
  options: PriceCallsOptions,
  sink: PricedCallSink,
): Omit<PriceCallsResult, 'calls'> {
  calls.forEach(assertCall);
  const prior = options.priorMinutes;
  const priorPulses = (key: string): number =>
    Math.round(((prior instanceof Map ? prior.get(key) : (prior as Record<string, number> | undefined)?.[key]) ?? 0) * PULSES_PER_MINUTE);
  const pulsesUsed = new Map<string, number>();
  const problems = new ProblemCollector();
  const order = calls
    .map((c, i) => i)
    .sort((a, b) => {
      const x = calls[a] as CallRecord;
      const y = calls[b] as CallRecord;
      return x.startMs - y.startMs || (x.callId < y.callId ? -1 : x.callId > y.callId ? 1 : a - b);
    });
  for (const i of order) {
    const call = calls[i] as CallRecord;
    const pulses = call.direction === 'business_initiated' ? pulsesOf(call.durationSec) : 0;
    if (pulses === 0) {
      sink(i, call, pulses, 0n);
      continue;
    }
    const key = tierKey(call.portfolioId, call.market, CALLS_COLUMN, call.day.slice(0, 7));
    const before = pulsesUsed.get(key) ?? priorPulses(key);
    pulsesUsed.set(key, before + pulses);
    const card = callRateCardInForce(book, call.currency, call.day);
    const ladder = card?.tiers.get(call.market);
    if (!card || !ladder) {
      const message = card
        ? `The ${call.currency} call rates from ${card.effectiveFrom} have no rate for ${call.market}`
        : `No ${call.currency} call rate card in force on ${call.day}`;
      problems.add({ code: 'no_call_rate', message, currency: call.currency, day: call.day, market: call.market, category: 'calls' });
      sink(i, call, pulses, null);
      continue;
    }
    const first = tierOfMinute(ladder, Math.ceil((before + 1) / PULSES_PER_MINUTE));
    const last = tierOfMinute(ladder, Math.ceil((before + pulses) / PULSES_PER_MINUTE));
    const touched = ladder.slice(first ? ladder.indexOf(first) : 0, last ? ladder.indexOf(last) + 1 : ladder.length);
    const cheapest = touched.reduce((a, b) => (b.ratePerMinuteMicros < a.ratePerMinuteMicros ? b : a));
    sink(i, call, pulses, callCostMicros(pulses, cheapest.ratePerMinuteMicros), {
      lowerMinutes: cheapest.lowerMinutes,
      upperMinutes: cheapest.upperMinutes,
      ratePerMinuteMicros: cheapest.ratePerMinuteMicros,
    });
  }
  const tierMinutes = new Map([...pulsesUsed].map(([k, p]) => [k, p / PULSES_PER_MINUTE]));
  return { problems: problems.list(), tierMinutes };
}
