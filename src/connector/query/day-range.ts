import { InputError, isDay, localDay } from '@core';

/** A query range resolved to one WABA's local calendar: both days inclusive. */
export interface LocalDays {
  fromDay: string;
  toDay: string;
}

/**
 * `from`/`to` are WABA-local dates (both inclusive) or epoch ms (range [from, to): every local day
 * that overlaps it). The same instant range therefore maps to different days per WABA time zone.
 */
export function localDays(from: string, to: string, timeZone: string): LocalDays {
  const fromDay = isDay(from) ? from : localDay(Number(from), timeZone);
  const toDay = isDay(to) ? to : localDay(Math.max(Number(to) - 1, Number(isDay(from) ? 0 : from)), timeZone);
  if (fromDay > toDay) throw new InputError('to', to, 'must not be before from');
  return { fromDay, toDay };
}

/** The widest day span over several WABAs, for one store read covering them all. */
export function spanOf(ranges: readonly LocalDays[]): LocalDays | null {
  if (ranges.length === 0) return null;
  let fromDay = ranges[0]!.fromDay;
  let toDay = ranges[0]!.toDay;
  for (const r of ranges) {
    if (r.fromDay < fromDay) fromDay = r.fromDay;
    if (r.toDay > toDay) toDay = r.toDay;
  }
  return { fromDay, toDay };
}

/** The days two spans share, null when they do not meet. */
export function intersect(a: LocalDays, b: LocalDays): LocalDays | null {
  const fromDay = a.fromDay > b.fromDay ? a.fromDay : b.fromDay;
  const toDay = a.toDay < b.toDay ? a.toDay : b.toDay;
  return fromDay <= toDay ? { fromDay, toDay } : null;
}

/**
 * The reads of [fromDay, toDay] (one month) summed over their days, for month buckets: one for every
 * WABA (`wabaIds` empty) when each WABA of `ranges` shows the same days of it (the month, or the
 * range's part of it in one zone), which scans the month's rows once (the primary keys lead with the
 * day; narrowed to a WABA, SQLite reads a (waba_id, day) index and the table row by row, ~35 % slower
 * for two WABAs at full scale); else one per WABA within its own days, since a sum cannot be cut to
 * them afterwards. The one read leaves the WABAs to the caller, which keeps only those it asked for.
 */
export function monthReads(
  ranges: ReadonlyMap<string, LocalDays>,
  fromDay: string,
  toDay: string,
): { fromDay: string; toDay: string; wabaIds: string[] }[] {
  const reads: { fromDay: string; toDay: string; wabaIds: string[] }[] = [];
  for (const [wabaId, days] of ranges) {
    const own = intersect(days, { fromDay, toDay });
    if (own) reads.push({ ...own, wabaIds: [wabaId] });
  }
  const [first] = reads;
  const same =
    first !== undefined && reads.length === ranges.size && reads.every((r) => r.fromDay === first.fromDay && r.toDay === first.toDay);
  return same ? [{ fromDay: first.fromDay, toDay: first.toDay, wabaIds: [] }] : reads;
}

/** Where a store keeps each WABA's first and last day with data (Store.dataDays). */
export interface DataDaysSource {
  dataDays(wabaId: string): Promise<LocalDays | null>;
}

/**
 * From the first to the last WABA-local day on which any of `wabaIds` has stored data (usage, calls,
 * inbound or contacts); null when none has any. Days outside it hold no rows, so a query range cut to
 * it gives the same answer at a cost bounded by the data rather than by the range asked for.
 */
export async function dataHull(store: DataDaysSource, wabaIds: readonly string[]): Promise<LocalDays | null> {
  const spans = (await Promise.all(wabaIds.map((id) => store.dataDays(id)))).filter((s): s is LocalDays => s !== null);
  return spanOf(spans);
}

/**
 * `span` cut to the days on which any of `wabaIds` has data (null when none in it). Used for the
 * store read of a series: its rows (and pricing problems) all lie on such days, so the answer is the
 * same as for the uncut span, and months before the first day of data are never read or priced.
 */
export async function withinData(store: DataDaysSource, span: LocalDays, wabaIds: readonly string[]): Promise<LocalDays | null> {
  const hull = await dataHull(store, wabaIds);
  return hull && intersect(span, hull);
}
