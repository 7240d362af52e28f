/**
 * The tables whose days bound a WABA's data (Store.dataDays). usage_pricing stands in for usage_daily:
 * it holds the same days and WABAs (a pricing-grain row exists exactly while one of its fine rows does).
 */
const TABLES = ['usage_pricing', 'calls_daily', 'inbound_daily', 'contacts_daily'] as const;

/**
 * One statement of MIN(day) and MAX(day) per table as separate scalar subqueries: each is then a single
 * seek on the (waba_id, day) index of migration 011 (a MIN and a MAX in one SELECT would scan).
 * `param` is the dialect's placeholder for the WABA id.
 */
export function dataDaysSql(param: string): string {
  const cols = TABLES.flatMap((t) => [
    `(SELECT MIN(day) FROM ${t} WHERE waba_id = ${param}) AS ${t}_min`,
    `(SELECT MAX(day) FROM ${t} WHERE waba_id = ${param}) AS ${t}_max`,
  ]);
  return `SELECT ${cols.join(', ')}`;
}

/** The widest span over the per-table bounds of `dataDaysSql`'s row; null when no table has a day. */
export function dataDaysOf(row: Record<string, unknown> | undefined): { fromDay: string; toDay: string } | null {
  let fromDay: string | null = null;
  let toDay: string | null = null;
  for (const t of TABLES) {
    const lo = row?.[`${t}_min`];
    const hi = row?.[`${t}_max`];
    if (typeof lo === 'string' && (fromDay === null || lo < fromDay)) fromDay = lo;
    if (typeof hi === 'string' && (toDay === null || hi > toDay)) toDay = hi;
  }
  return fromDay === null || toDay === null ? null : { fromDay, toDay };
}
