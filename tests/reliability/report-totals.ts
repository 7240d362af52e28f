/** Small pure helpers the reliability suites share: report totals and seeded shuffling. */
import { seededRandom } from '../helpers/webhook-envelopes';

interface ReportRow {
  messages: number;
  billable: number;
  cost: string | null;
}

/** Rows of `waspend report --format json` (a bare array or `{rows: [...]}`). */
export function reportRows(json: string): ReportRow[] {
  const parsed = JSON.parse(json) as unknown;
  const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new Error(`report JSON has no rows: ${json.slice(0, 200)}`);
  return rows as ReportRow[];
}

/** Adds decimal strings exactly (scaled to 1e-9) so money totals compare without float error. */
export function sumDecimals(values: readonly (string | null)[]): string {
  let total = 0n;
  for (const v of values) {
    if (v === null || v === '') continue;
    const neg = v.startsWith('-');
    const [int = '0', frac = ''] = v.replace('-', '').split('.');
    const scaled = BigInt(int) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
    total += neg ? -scaled : scaled;
  }
  const neg = total < 0n;
  const abs = neg ? -total : total;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / 1_000_000_000n}${frac ? `.${frac}` : ''}`;
}

export function reportTotals(json: string): { messages: number; billable: number; cost: string } {
  const rows = reportRows(json);
  return {
    messages: rows.reduce((n, r) => n + Number(r.messages), 0),
    billable: rows.reduce((n, r) => n + Number(r.billable), 0),
    cost: sumDecimals(rows.map((r) => r.cost)),
  };
}

export function shuffleSeeded<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rand = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
