/**
 * The data side of the Meta / 360Dialog fake: an in-memory dataset of Meta-shaped data points and the
 * query semantics the fake applies to it (time filter, dimensions, metrics, paging), following the
 * response shapes in Meta's analytics documentation (tests/fixtures/meta/*.src.txt name the pages).
 */

export type FakePoint = Record<string, string | number>;

export interface FakeWaba {
  id: string;
  token: string;
  currency: string;
  phoneNumbers: { id: string; display: string }[];
  /** pricing_analytics points with every dimension filled: start, end, phone_number, country, tier?, pricing_type, pricing_category, volume, cost. */
  pricing: FakePoint[];
  /** call_analytics points: start, end, phone_number, country, direction, count, cost, average_duration. */
  calls: FakePoint[];
  /** conversation_analytics points: start, end, phone_number, country, conversation_type, conversation_category, conversation, cost. */
  conversations: FakePoint[];
  /** Partner credit line: Meta omits COST, and a COST-only conversation request fails ("Cost not available"). */
  costWithheld?: boolean;
  /** Fail every conversation request that asks for COST (not only COST-only ones). */
  costErrorOnAnyCost?: boolean;
  /** Reject the PHONE dimension of pricing_analytics with Graph error 100. */
  rejectPhoneDimension?: boolean;
}

export interface FakeChannel {
  partnerId: string;
  clientId: string;
  channelId: string;
  apiKey: string;
  pricing: FakePoint[];
  calls: FakePoint[];
  /** 'meta': Meta's wrappers pass through (our best guess); 'flat': `{currency, usage:[...points]}`. */
  shape?: 'meta' | 'flat';
  currency?: string;
}

export interface FakeDataset {
  wabas: FakeWaba[];
  channels: FakeChannel[];
}

export interface FieldQuery {
  name: string;
  filters: Map<string, string[]>;
}

/** Splits `a.b(x,y).c([1,2]),currency` at top-level commas and reads each field's filters. */
export function parseFields(fields: string): FieldQuery[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of fields) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current) parts.push(current);
  return parts.map((part) => {
    const name = part.split(/[.(]/)[0] ?? part;
    const filters = new Map<string, string[]>();
    for (const m of part.matchAll(/\.([a-z_]+)\(([^)]*)\)/gi)) {
      const args = (m[2] ?? '')
        .replace(/[[\]"' ]/g, '')
        .split(',')
        .filter(Boolean);
      filters.set((m[1] ?? '').toLowerCase(), args);
    }
    return { name, filters };
  });
}

const DIMENSION_FIELDS: Record<string, string> = {
  PHONE: 'phone_number',
  COUNTRY: 'country',
  PRICING_CATEGORY: 'pricing_category',
  PRICING_TYPE: 'pricing_type',
  TIER: 'tier',
  DIRECTION: 'direction',
  CONVERSATION_CATEGORY: 'conversation_category',
  CONVERSATION_TYPE: 'conversation_type',
  CONVERSATION_DIRECTION: 'conversation_direction',
};
const METRIC_FIELDS: Record<string, string[]> = {
  COST: ['cost'],
  VOLUME: ['volume'],
  CONVERSATION: ['conversation'],
  COUNT: ['count'],
  AVERAGE_DURATION: ['average_duration'],
};
const ALL_METRICS = ['cost', 'volume', 'conversation', 'count', 'average_duration'];

/** Points in [start, end) grouped by the requested dimensions, with only the requested metrics. */
export function queryPoints(
  points: readonly FakePoint[],
  q: FieldQuery,
  opts: { withholdCost: boolean; endInclusive?: boolean },
): FakePoint[] {
  const start = Number(q.filters.get('start')?.[0] ?? 0);
  const end = Number(q.filters.get('end')?.[0] ?? Number.MAX_SAFE_INTEGER);
  const dims = (q.filters.get('dimensions') ?? []).map((d) => DIMENSION_FIELDS[d.toUpperCase()]).filter(Boolean) as string[];
  const metricArgs = q.filters.get('metric_types');
  let metrics = metricArgs ? metricArgs.flatMap((m) => METRIC_FIELDS[m.toUpperCase()] ?? []) : ALL_METRICS;
  if (opts.withholdCost) metrics = metrics.filter((m) => m !== 'cost');
  const groups = new Map<string, FakePoint>();
  const weights = new Map<FakePoint, number>();
  for (const p of points) {
    const at = Number(p.start);
    if (at < start || (opts.endInclusive ? at > end : at >= end)) continue;
    const key = [p.start, ...dims.map((d) => p[d] ?? '')].join('|');
    let g = groups.get(key);
    if (!g) {
      g = { start: p.start as number, end: p.end as number };
      for (const d of dims) if (p[d] !== undefined) g[d] = p[d] as string;
      groups.set(key, g);
    }
    const before = weights.get(g) ?? 0;
    const added = Number(p.count ?? 1);
    for (const m of metrics) {
      if (p[m] === undefined) continue;
      if (m === 'average_duration') g[m] = Math.round((Number(g[m] ?? 0) * before + Number(p[m]) * added) / Math.max(1, before + added));
      else g[m] = Number((Number(g[m] ?? 0) + Number(p[m])).toFixed(6));
    }
    weights.set(g, before + added);
  }
  return [...groups.values()].sort((a, b) => Number(b.start) - Number(a.start));
}
