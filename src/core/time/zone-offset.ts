import { InputError } from '../errors';
import { civilToDayNumber, MS_PER_DAY } from './calendar';

/**
 * UTC offsets of IANA zones through Intl, cached per UTC hour. formatToParts costs microseconds, and
 * the connector asks for the WABA-local day of millions of events, so each (zone, hour) is resolved
 * once. Offsets change at most at minute boundaries; an hour that contains a change (including the
 * half-hour changes of zones like Australia/Lord_Howe) is marked mixed and resolved per call.
 */

export const MS_PER_HOUR = 3_600_000;
const MAX_CACHED_HOURS = 400_000; // ~45 years per zone before the cache is dropped and refilled
const MAX_ABS_MS = 8.64e15;

interface Zone {
  readonly format: Intl.DateTimeFormat;
  /** hour bucket -> offset ms, NaN when the offset changes inside that hour. */
  readonly hours: Map<number, number>;
}

const zones = new Map<string, Zone>();
let lastName = '';
let lastZone: Zone | null = null;

function zoneOf(timeZone: string, field: string): Zone {
  if (timeZone === lastName && lastZone) return lastZone;
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = { format: createFormat(timeZone, field), hours: new Map() };
    zones.set(timeZone, zone);
  }
  lastName = timeZone;
  lastZone = zone;
  return zone;
}

function createFormat(timeZone: string, field: string): Intl.DateTimeFormat {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new InputError(field, timeZone, 'must be an IANA time zone name such as "America/Sao_Paulo"');
  }
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    throw new InputError(field, timeZone, 'is not a known IANA time zone (e.g. "Asia/Kolkata", "UTC")');
  }
}

/** Throws InputError unless `timeZone` is an IANA zone this runtime knows; returns it unchanged. */
export function assertTimeZone(timeZone: string, field = 'timezone'): string {
  zoneOf(timeZone, field);
  return timeZone;
}

function computeOffset(format: Intl.DateTimeFormat, atMs: number): number {
  const whole = Math.floor(atMs / 1000) * 1000;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  let bc = false;
  for (const part of format.formatToParts(whole)) {
    switch (part.type) {
      case 'year':
        y = Number(part.value);
        break;
      case 'month':
        mo = Number(part.value);
        break;
      case 'day':
        d = Number(part.value);
        break;
      case 'hour':
        h = Number(part.value);
        break;
      case 'minute':
        mi = Number(part.value);
        break;
      case 'second':
        s = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) y = 1 - y;
  const localMs = civilToDayNumber(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * 60_000 + s * 1000;
  return localMs - whole;
}

function assertInstant(atMs: number, field: string): void {
  if (typeof atMs !== 'number' || !Number.isFinite(atMs) || Math.abs(atMs) > MAX_ABS_MS) {
    throw new InputError(field, atMs, 'is not a valid epoch time in milliseconds');
  }
}

/** Local time minus UTC, in ms, at instant `atMs` (e.g. -10_800_000 for Sao Paulo today). */
export function offsetAt(atMs: number, timeZone: string, field = 'atMs'): number {
  const zone = zoneOf(timeZone, 'timezone');
  const bucket = Math.floor(atMs / MS_PER_HOUR);
  const cached = zone.hours.get(bucket);
  if (cached !== undefined) return cached === cached ? cached : computeOffset(zone.format, atMs);
  assertInstant(atMs, field);
  const start = bucket * MS_PER_HOUR;
  // Date's last instant (8.64e15) opens an hour that Intl cannot format to its end: that hour is
  // resolved per call and never cached, so every instant in it is still checked above.
  if (start + MS_PER_HOUR > MAX_ABS_MS) return computeOffset(zone.format, atMs);
  const first = computeOffset(zone.format, start);
  const last = computeOffset(zone.format, start + MS_PER_HOUR - 1000);
  if (zone.hours.size >= MAX_CACHED_HOURS) zone.hours.clear();
  zone.hours.set(bucket, first === last ? first : Number.NaN);
  return first === last ? first : computeOffset(zone.format, atMs);
}
