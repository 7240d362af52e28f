import { parseMicros, toDecimalString } from '@core';
import type { ReportConfig } from '../config';
import { buildReport, formatReport, type QueryContext, type ReportRow } from '../query';
import { rangeName, type PeriodDays } from './report-period';

/** What a delivery carries: the CSV exactly as `waspend report` prints it (RFC 4180 line ends) and a summary. */
export interface ReportContent {
  name: string;
  period: PeriodDays;
  filename: string;
  csv: string;
  rows: number;
  subject: string;
  summary: string;
}

/** Totals per currency, summed in micro-units and printed as exact decimals (never rounded). */
export function summarise(rows: readonly ReportRow[]): { messages: number; billable: number; cost: Map<string, string>; unpriced: number } {
  const micros = new Map<string, bigint>();
  let messages = 0;
  let billable = 0;
  let unpriced = 0;
  for (const r of rows) {
    messages += r.messages;
    billable += r.billable;
    if (r.cost === null) unpriced++;
    else micros.set(r.currency, (micros.get(r.currency) ?? 0n) + parseMicros(r.cost, 'cost'));
  }
  const cost = new Map([...micros].sort(([a], [b]) => a.localeCompare(b)).map(([c, m]) => [c, toDecimalString(m)] as const));
  return { messages, billable, cost, unpriced };
}

/** Builds the report through `waspend report`'s own code (buildReport + formatReport). */
export async function buildReportContent(ctx: QueryContext, name: string, cfg: ReportConfig, period: PeriodDays): Promise<ReportContent> {
  const rows = await buildReport(ctx, {
    from: period.from,
    to: period.to,
    by: cfg.report.by,
    source: cfg.report.source,
    ...(cfg.report.waba ? { waba: cfg.report.waba } : {}),
  });
  const totals = summarise(rows);
  const cost = totals.cost.size ? [...totals.cost].map(([c, v]) => `${c} ${v}`).join(', ') : 'none';
  const summary = [
    `waspend report "${name}": ${period.from} to ${period.to} (${rangeName(cfg.report.range)}, by ${cfg.report.by.join(',') || 'nothing (totals)'}, ${cfg.report.source})`,
    `${rows.length} rows; ${totals.messages} delivered messages, ${totals.billable} charged units; cost ${cost}` +
      (totals.unpriced ? `; ${totals.unpriced} rows without a known rate` : ''),
  ].join('\n');
  return {
    name,
    period,
    filename: `${name}_${period.from}_${period.to}.csv`,
    csv: formatReport(rows, 'csv', '\r\n'),
    rows: rows.length,
    subject: `${cfg.smtp?.subject ?? `waspend report ${name}`}: ${period.from} to ${period.to}`,
    summary,
  };
}
