/**
 * `npm run demo-summary`: generates the deterministic demo month without a server, reduces its
 * webhook stream to delivered messages with Meta's verdicts (duplicates and out-of-order statuses
 * included, as real webhooks have them), prices them with the core and prints what the dashboards will
 * show: messages and cost per WABA and category, the month-end projection, and the drift against the
 * demo's "Meta figures". Rates are the demo's INVENTED rate cards.
 */
import {
  buildUsageRows,
  formatMoney,
  localDay,
  monthOf,
  priceUsage,
  projectAverage,
  projectWeekday,
  sumMicros,
  toCategory,
  toPricingType,
  type UsageMessage,
} from '../src/core';
import { generateDemo } from '../src/connector/demo';

/** The fields of a webhook status this summary reads (the demo's envelopes are loosely typed). */
interface DemoStatus {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  pricing?: { category: Delivered['category']; type: Delivered['pricingType'] };
}

interface Delivered {
  wabaId: string;
  recipient: string;
  atMs: number | null;
  category?: string;
  pricingType?: string;
  failed: boolean;
}

function summarise(asOfMs: number): void {
  const demo = generateDemo({ asOfMs, days: 45 });
  const byWamid = new Map<string, Delivered>();
  let statuses = 0;
  for (const { wabaId, envelope } of demo.envelopes()) {
    for (const entry of envelope.entry) {
      for (const change of entry.changes) {
        const list = (change.value.statuses ?? []) as DemoStatus[];
        for (const s of list) {
          statuses += 1;
          const m: Delivered = byWamid.get(s.id) ?? { wabaId, recipient: s.recipient_id, atMs: null, failed: false };
          const at = Number(s.timestamp) * 1000;
          // Charged on delivery: the first delivered or read, whichever arrives first in the stream.
          if ((s.status === 'delivered' || s.status === 'read') && (m.atMs === null || at < m.atMs)) m.atMs = at;
          if (s.status === 'failed') m.failed = true;
          if (s.pricing) {
            m.category = s.pricing.category;
            m.pricingType = s.pricing.type;
          }
          byWamid.set(s.id, m);
        }
      }
    }
  }

  const wabas = new Map(demo.wabas.map((w) => [w.id, w]));
  const messages: UsageMessage[] = [];
  for (const m of byWamid.values()) {
    if (m.atMs === null || !m.category || !m.pricingType) continue;
    const w = wabas.get(m.wabaId);
    if (!w) continue;
    messages.push({
      wabaId: w.id,
      portfolioId: w.portfolio,
      currency: w.currency,
      timezone: w.timezone,
      atMs: m.atMs,
      recipient: m.recipient,
      category: toCategory(m.category),
      pricingType: toPricingType(m.pricingType),
    });
  }
  const { rows, problems } = priceUsage(buildUsageRows(messages), demo.priceBook);

  console.log(`waspend demo: ${statuses} status webhooks, ${byWamid.size} messages, ${messages.length} delivered with a verdict`);
  console.log(
    '(invented demo rates; each day priced by the rules in force that day: service and in-window utility charged from 2026-10-01)\n',
  );
  const table: Record<string, string | number>[] = [];
  for (const w of demo.wabas) {
    const mine = rows.filter((r) => r.wabaId === w.id);
    const categories = [...new Set(mine.map((r) => r.category))].sort();
    for (const category of categories) {
      const rs = mine.filter((r) => r.category === category);
      table.push({
        waba: w.name,
        currency: w.currency,
        category,
        messages: rs.reduce((n, r) => n + r.units, 0),
        billable: rs.reduce((n, r) => n + r.billable, 0),
        cost: formatMoney(sumMicros(rs.map((r) => r.costMicros ?? 0n)), w.currency),
      });
    }
  }
  console.table(table);

  console.log('\nMonth-end projection (WABA-local month, last complete day):');
  for (const w of demo.wabas) {
    const today = localDay(asOfMs, w.timezone);
    const month = monthOf(today);
    const daily = new Map<string, bigint>();
    for (const r of rows) if (r.wabaId === w.id) daily.set(r.day, (daily.get(r.day) ?? 0n) + (r.costMicros ?? 0n));
    const series = [...daily].map(([day, micros]) => ({ day, value: Number(micros) / 1e6 }));
    const input = {
      month,
      asOfDay:
        [...daily.keys()]
          .filter((d) => d < today)
          .sort()
          .at(-1) ?? today,
      daily: series.filter((d) => d.day.startsWith(month)),
      history: series.filter((d) => !d.day.startsWith(month)),
    };
    if (input.asOfDay.slice(0, 7) !== month) continue;
    const avg = projectAverage(input);
    const wk = projectWeekday(input);
    console.log(
      `  ${w.name} (${w.currency}) ${month}: month to date ${avg.mtd.toFixed(2)}, ` +
        `average method ${avg.projected.toFixed(2)}, weekday method ${wk.projected.toFixed(2)} [${wk.lower.toFixed(2)} .. ${wk.upper.toFixed(2)}]`,
    );
  }

  const meta = demo.metaFigures().pricing;
  console.log("\nEstimate vs the demo's Meta figures (complete days):");
  for (const w of demo.wabas) {
    const { from, to } = demo.completeDays(w.id);
    const est = sumMicros(rows.filter((r) => r.wabaId === w.id && r.day >= from && r.day <= to).map((r) => r.costMicros ?? 0n));
    const met = sumMicros(meta.filter((r) => r.wabaId === w.id && r.day >= from && r.day <= to).map((r) => r.costMicros ?? 0n));
    const drift = met === 0n ? 'n/a' : `${((Number(est - met) / Number(met)) * 100).toFixed(2)}%`;
    console.log(
      `  ${w.name}: estimate ${formatMoney(est, w.currency)} vs Meta ${formatMoney(met, w.currency)} ${w.currency} (drift ${drift})`,
    );
  }
  if (problems.length) console.log(`\n${problems.length} pricing problem(s), first: ${problems[0]?.message}`);
}

summarise(Date.now());
