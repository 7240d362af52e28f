import { dayStartMs, localDay, parseMicros, type Micros } from '@core';
import { PullError } from './pull-error';

/**
 * Small readers shared by the analytics parsers. Upstream JSON is untrusted: a field of the wrong
 * type is a `bad_response` PullError naming its path, never a crash and never a silent zero.
 */

export type Json = Record<string, unknown>;

export function badResponse(path: string, value: unknown, reason: string): PullError {
  const shown = JSON.stringify(value)?.slice(0, 60) ?? String(value);
  return new PullError(`unexpected analytics response: ${path} = ${shown} ${reason}`, { reason: 'bad_response', retryable: false });
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Meta sends numbers; some proxies send numeric strings. */
export function readNumber(value: unknown, path: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw badResponse(path, value, 'is not a number');
  return n;
}

export function readCount(value: unknown, path: string): number {
  const n = readNumber(value, path);
  if (n < 0 || !Number.isInteger(n)) throw badResponse(path, value, 'is not a non-negative integer');
  return n;
}

/** Meta's COST is a float in major units (e.g. 0.47795); rounded to whole micro-units once, here. */
export function readCostMicros(value: unknown, path: string): Micros | null {
  if (value === undefined || value === null) return null;
  const n = readNumber(value, path);
  if (n < 0) throw badResponse(path, value, 'is negative');
  return parseMicros(n.toFixed(6), path);
}

export function readOptionalString(value: unknown, path: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw badResponse(path, value, 'is not a string');
  return value;
}

/** Epoch seconds (Meta) or milliseconds, or a YYYY-MM-DD date (a proxy's day label). */
export function readInstantMs(value: unknown, path: string): number | string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const n = readNumber(value, path);
  return n > 1e11 ? n : n * 1000;
}

export interface BucketDay {
  day: string;
  /** false when the bucket does not start at WABA-local midnight (the UNCERTAIN day-boundary assumption). */
  aligned: boolean;
}

/**
 * The WABA-local day of a DAILY bucket. Meta's buckets appear to start at WABA-local midnight
 * (UNCERTAIN, see docs/pulls.md); the bucket's midpoint is used so that a bucket aligned to UTC
 * midnight instead still lands on its own calendar day, and `aligned` reports the mismatch.
 */
export function bucketDayOf(start: unknown, end: unknown, timezone: string, path: string): BucketDay {
  const startAt = readInstantMs(start, `${path}.start`);
  if (typeof startAt === 'string') return { day: startAt, aligned: true };
  let at = startAt;
  if (end !== undefined && end !== null) {
    const endAt = readInstantMs(end, `${path}.end`);
    if (typeof endAt === 'number' && endAt > startAt && endAt - startAt <= 26 * 3600 * 1000) at = (startAt + endAt) / 2;
  }
  const day = localDay(at, timezone);
  return { day, aligned: dayStartMs(day, timezone) === startAt };
}

/** Collects data points from `{data_points}`, `{data:[{data_points}]}` or a bare array. */
export function dataPointsOf(container: unknown, path: string): { points: Json[]; parent: Json | null } {
  if (Array.isArray(container)) return { points: container.filter(isObject), parent: null };
  if (!isObject(container)) throw badResponse(path, container, 'is not an object');
  if (Array.isArray(container.data_points)) return { points: container.data_points.filter(isObject), parent: container };
  if (Array.isArray(container.data)) {
    const points: Json[] = [];
    container.data.forEach((entry, i) => {
      if (isObject(entry) && Array.isArray(entry.data_points)) points.push(...entry.data_points.filter(isObject));
      else if (isObject(entry) && 'start' in entry) points.push(entry);
      else throw badResponse(`${path}.data[${i}]`, entry, 'has no data_points');
    });
    return { points, parent: container };
  }
  return { points: [], parent: container };
}

/** Digits only, for matching Meta's `phone_number` (a display number) to a phone number id. */
export function phoneDigits(raw: string): string {
  return raw.replace(/\D/g, '');
}
