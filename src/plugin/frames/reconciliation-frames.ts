import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';
import { microsToNumber, parseMicros } from '@core';
import { reconciliationResponse, tiersResponse, type UsageDimension } from '@contract';
import { parseResponse } from './parse-response';
import { currencyDecimals, currencyUnit, formatLabelValue, splitSeries, toAmount } from './series';
import { warnings } from './notices';

/** Estimate vs Meta per day and series key, with the difference computed exactly in micros. */
export function buildReconciliationFrames(body: unknown, groupBy: readonly UsageDimension[], refId: string): DataFrame[] {
  const response = parseResponse(reconciliationResponse, body, 'reconciliation');
  const dims = groupBy.filter((d) => d === 'category' || d === 'waba');
  const notices = warnings(response.problems.map((p) => `${p.code}: ${p.message}`));
  return splitSeries(response.rows, dims, 'Reconciliation').map((s, i) => {
    const rows = [...s.rows].sort((a, b) => a.time - b.time);
    const unit = currencyUnit(s.currency);
    const num = (name: string, values: Array<number | null>, u: string) => ({
      name,
      type: FieldType.number,
      labels: s.labels,
      values,
      config: {
        unit: u,
        ...(u === unit ? { decimals: currencyDecimals(s.currency) } : {}),
        displayNameFromDS: dims.length ? `${s.name} ${name.toLowerCase()}` : name,
      },
    });
    // Only days Meta has reported can differ; a null keeps "not reported yet" apart from "agrees".
    const diff = rows.map((r, j) =>
      r.estimateCost === null || r.metaCost === null
        ? null
        : microsToNumber(
            parseMicros(r.estimateCost, `reconciliation.rows[${j}].estimateCost`) -
              parseMicros(r.metaCost, `reconciliation.rows[${j}].metaCost`),
          ),
    );
    return createDataFrame({
      refId,
      name: s.name,
      meta: i === 0 && notices.length ? { notices } : undefined,
      fields: [
        { name: 'Time', type: FieldType.time, values: rows.map((r) => r.time) },
        num(
          'Estimate units',
          rows.map((r) => r.estimateUnits),
          'none',
        ),
        num(
          'Meta units',
          rows.map((r) => r.metaUnits),
          'none',
        ),
        num(
          'Estimate cost',
          rows.map((r, j) => toAmount(r.estimateCost, `reconciliation.rows[${j}].estimateCost`)),
          unit,
        ),
        num(
          'Meta cost',
          rows.map((r, j) => toAmount(r.metaCost, `reconciliation.rows[${j}].metaCost`)),
          unit,
        ),
        num('Difference', diff, unit),
      ],
    });
  });
}

/** The volume-tier state as one table: where each portfolio x market x category stands this month. */
export function buildTiersFrame(body: unknown, refId: string): DataFrame {
  const rows = [...parseResponse(tiersResponse, body, 'tiers').rows].sort(
    (a, b) => a.portfolioId.localeCompare(b.portfolioId) || a.market.localeCompare(b.market) || a.category.localeCompare(b.category),
  );
  const str = (name: string, values: string[]) => ({ name, type: FieldType.string, values });
  const num = (name: string, values: Array<number | null>) => ({
    name,
    type: FieldType.number,
    values,
    config: { unit: 'none', decimals: 0 },
  });
  return createDataFrame({
    refId,
    name: 'Volume tiers',
    fields: [
      str(
        'Portfolio',
        rows.map((r) => r.portfolioId),
      ),
      str(
        'Market',
        rows.map((r) => r.market),
      ),
      str(
        'Category',
        rows.map((r) => formatLabelValue('category', r.category)),
      ),
      str(
        'Month',
        rows.map((r) => r.month),
      ),
      num(
        'Billed units',
        rows.map((r) => r.units),
      ),
      str(
        'Tier',
        rows.map((r) => (r.tierUpper === null ? `${r.tierLower}+` : `${r.tierLower}–${r.tierUpper}`)),
      ),
      num(
        'Units to next tier',
        rows.map((r) => r.remaining),
      ),
      str(
        'Meta tier',
        rows.map((r) => r.metaTier ?? ''),
      ),
    ],
  });
}
