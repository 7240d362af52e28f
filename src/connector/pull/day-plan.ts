import { addDays, daysBetween } from '@core';

export interface DayPlanInput {
  /** Last complete day already stored, or null before the first pull. */
  cursor: string | null;
  /** Today, WABA-local: partial, never pulled. */
  today: string;
  backfillDays: number;
  /** Absolute first day of the first pull; overrides backfillDays when set. */
  backfillFrom?: string | null;
  repullDays: number;
  lookbackDays: number;
  maxDaysPerRequest: number;
  /** The source covers only [minDay, maxDay] (e.g. conversation_analytics stops at 2025-06-30). */
  minDay?: string;
  maxDay?: string;
}

export interface DayChunk {
  from: string;
  to: string;
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
function minDay(a: string, b: string): string {
  return a < b ? a : b;
}

/**
 * Which complete WABA-local days to (re-)pull: from the day after the cursor, but always the last
 * `repullDays` complete days again (Meta revises recent figures), never today, never older than the
 * lookback. Split into chunks so a long backfill commits, and resumes, piece by piece.
 * Returns [] when there is nothing to pull.
 */
export function planDays(input: DayPlanInput): DayChunk[] {
  const yesterday = addDays(input.today, -1);
  const oldestAllowed = addDays(input.today, -(input.lookbackDays - 1));
  let from =
    input.cursor === null
      ? (input.backfillFrom ?? addDays(input.today, -input.backfillDays))
      : minDay(addDays(input.cursor, 1), addDays(yesterday, -(Math.max(1, input.repullDays) - 1)));
  from = maxDay(from, oldestAllowed);
  if (input.minDay) from = maxDay(from, input.minDay);
  let to = yesterday;
  if (input.maxDay) to = minDay(to, input.maxDay);
  if (from > to) return [];
  const chunks: DayChunk[] = [];
  const size = Math.max(1, input.maxDaysPerRequest);
  for (let start = from; start <= to; start = addDays(start, size)) {
    const end = addDays(start, size - 1);
    chunks.push({ from: start, to: minDay(end, to) });
  }
  return chunks;
}

/** Every day from `from` to `to`, both included. */
export function daysOf(chunk: DayChunk): string[] {
  const n = daysBetween(chunk.from, chunk.to);
  return Array.from({ length: n + 1 }, (_, i) => addDays(chunk.from, i));
}
