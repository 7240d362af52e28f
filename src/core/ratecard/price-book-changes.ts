import { RATE_COLUMNS } from '../model/category';
import type { Micros } from '../model/money';
import type { PriceBook, PriceBookEntry } from './price-book';
import { toDecimalString } from './price-book-json';

/** One dated price event for Grafana annotations: "USD rate card (per message) from 2026-07-01: 3 rates changed". */
export interface PriceBookEvent {
  /** WABA-local day the entry takes effect. */
  day: string;
  currency: string;
  kind: PriceBookEntry['kind'];
  title: string;
  text: string;
  changes: PriceChange[];
}

/** One rate that differs from the previous entry of the same kind and currency (null = none). */
export interface PriceChange {
  market: string;
  /** Rate column, or `calls`; tier ladders are summarised as "lower:upper=rate, ...". */
  column: string;
  from: string | null;
  to: string | null;
}

const MAX_LISTED = 5;

function flatten(entry: PriceBookEntry): Map<string, string> {
  const out = new Map<string, string>();
  const ladder = (tiers: readonly { lower: number; upper: number | null; rate: Micros }[]) =>
    tiers.map((t) => `${t.lower}:${t.upper ?? 'MAX'}=${toDecimalString(t.rate)}`).join(', ');
  if (entry.kind === 'rate_card') {
    for (const [market, rates] of entry.rates) {
      for (const column of RATE_COLUMNS)
        if (rates[column] !== undefined) out.set(`${market}\u0000${column}`, toDecimalString(rates[column] as Micros));
    }
  } else if (entry.kind === 'tier_table') {
    for (const [market, columns] of entry.tiers) {
      for (const column of RATE_COLUMNS) {
        const tiers = columns[column];
        if (tiers) out.set(`${market}\u0000${column}`, ladder(tiers.map((t) => ({ lower: t.lower, upper: t.upper, rate: t.rateMicros }))));
      }
    }
  } else {
    for (const [market, tiers] of entry.tiers) {
      out.set(
        `${market}\u0000calls`,
        ladder(tiers.map((t) => ({ lower: t.lowerMinutes, upper: t.upperMinutes, rate: t.ratePerMinuteMicros }))),
      );
    }
  }
  return out;
}

function diff(previous: PriceBookEntry | undefined, current: PriceBookEntry): PriceChange[] {
  const before = previous ? flatten(previous) : new Map<string, string>();
  const after = flatten(current);
  const changes: PriceChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const from = before.get(key) ?? null;
    const to = after.get(key) ?? null;
    if (from === to) continue;
    const [market, column] = key.split('\u0000') as [string, string];
    changes.push({ market, column, from, to });
  }
  return changes;
}

function titleOf(entry: PriceBookEntry): string {
  if (entry.kind === 'rate_card') return `${entry.currency} rate card (per ${entry.unit}) from ${entry.effectiveFrom}`;
  if (entry.kind === 'tier_table') return `${entry.currency} volume tiers from ${entry.effectiveFrom}`;
  return `${entry.currency} call rates from ${entry.effectiveFrom}`;
}

function textOf(previous: PriceBookEntry | undefined, changes: PriceChange[]): string {
  if (!previous) return `first entry of this kind (${changes.length} rate${changes.length === 1 ? '' : 's'})`;
  if (changes.length === 0) return 'no rate changed';
  const listed = changes.slice(0, MAX_LISTED).map((c) => `${c.market} ${c.column} ${c.from ?? 'n/a'} → ${c.to ?? 'n/a'}`);
  const more = changes.length > MAX_LISTED ? `; and ${changes.length - MAX_LISTED} more` : '';
  return `${changes.length} rate${changes.length === 1 ? '' : 's'} changed: ${listed.join('; ')}${more}`;
}

/** Dated events, one per book entry, each compared with the previous entry of the same kind, currency (and unit). */
export function priceBookChanges(book: PriceBook): PriceBookEvent[] {
  const events: PriceBookEvent[] = [];
  const lastOf = new Map<string, PriceBookEntry>();
  const entries = [...book.rateCards, ...book.tierTables, ...book.callRateCards].sort(
    (a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.currency.localeCompare(b.currency) || a.kind.localeCompare(b.kind),
  );
  for (const entry of entries) {
    const slot = `${entry.kind}/${entry.currency}/${entry.kind === 'rate_card' ? entry.unit : ''}`;
    const previous = lastOf.get(slot);
    const changes = diff(previous, entry);
    events.push({
      day: entry.effectiveFrom,
      currency: entry.currency,
      kind: entry.kind,
      title: titleOf(entry),
      text: textOf(previous, changes),
      changes,
    });
    lastOf.set(slot, entry);
  }
  return events;
}
