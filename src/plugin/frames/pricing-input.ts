import { z } from 'zod';
import { CATEGORIES, InputError, PRICING_TYPES } from '@core';
import {
  PRICING_INPUT_COLUMNS,
  pricingInputColumnsResponse,
  pricingInputResponse,
  pricingInputRow,
  priorUnitsRow,
  type PricingInputResponse,
} from '@contract';
import { parseResponse } from './parse-response';

const categories = new Set<unknown>(CATEGORIES);
const pricingTypes = new Set<unknown>(PRICING_TYPES);
const isText = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

function isDims(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x !== 'string') return false;
  }
  return true;
}

/** A row the contract's `pricingInputRow` accepts as it is (this test is never looser than the schema). */
function isPlainRow(r: unknown): boolean {
  if (typeof r !== 'object' || r === null) return false;
  const row = r as Record<string, unknown>;
  return (
    isText(row.day) &&
    isNumber(row.time) &&
    isText(row.wabaId) &&
    isText(row.portfolioId) &&
    isText(row.currency) &&
    isText(row.market) &&
    categories.has(row.category) &&
    pricingTypes.has(row.pricingType) &&
    (row.pricingModel === 'PMP' || row.pricingModel === 'CBP') &&
    isNumber(row.units) &&
    isDims(row.dims)
  );
}

// `rows` is only checked to be there and an array: the contract's own schema names what is wrong otherwise.
const envelope = z.object({ rows: z.unknown(), priorUnits: z.array(priorUnitsRow) });

/**
 * Validates a /pricing-input body against the contract. The what-if kind receives tens of thousands
 * of rows (90 days of a large sender at the pricing grain) and zod alone spends most of the
 * transform's time budget on them, so each row is first tested in one pass; only a row that test
 * does not accept goes through the contract's own schema, which then names the field or lets it pass.
 */
export function parsePricingInput(body: unknown, what = 'pricing-input'): PricingInputResponse {
  if (Array.isArray((body as { columns?: unknown } | null)?.columns)) return fromColumns(body, what);
  if (!Array.isArray((body as { rows?: unknown } | null)?.rows)) return parseResponse(pricingInputResponse, body, what);
  const parsed = parseResponse(envelope, body, what);
  const rows = (parsed.rows as unknown[]).slice() as PricingInputResponse['rows'];
  // Every string of a parsed body is its own copy, hashed afresh by each map lookup the pricer and
  // the frames make per row. One copy per distinct value (the previous row's, most of the time)
  // lets them all reuse one computed hash.
  const one = new Map<string, string>();
  const canonical = (v: string): string => {
    const seen = one.get(v);
    if (seen !== undefined) return seen;
    one.set(v, v);
    return v;
  };
  let prev: PricingInputResponse['rows'][number] | undefined;
  for (let i = 0; i < rows.length; i += 1) {
    if (!isPlainRow(rows[i])) rows[i] = parseResponse(pricingInputRow, rows[i], `${what}.rows[${i}]`);
    const r = rows[i] as PricingInputResponse['rows'][number];
    // Field by field (a loop over the names would make each access a slow keyed one).
    if (prev === undefined) prev = r;
    r.day = r.day === prev.day ? prev.day : canonical(r.day);
    r.wabaId = r.wabaId === prev.wabaId ? prev.wabaId : canonical(r.wabaId);
    r.portfolioId = r.portfolioId === prev.portfolioId ? prev.portfolioId : canonical(r.portfolioId);
    r.currency = r.currency === prev.currency ? prev.currency : canonical(r.currency);
    r.market = r.market === prev.market ? prev.market : canonical(r.market);
    r.category = canonical(r.category) as typeof r.category;
    r.pricingType = r.pricingType === prev.pricingType ? prev.pricingType : (canonical(r.pricingType) as typeof r.pricingType);
    prev = r;
  }
  return { rows, priorUnits: parsed.priorUnits };
}

const columnsEnvelope = z.object({
  columns: z.array(z.string()),
  rows: z.unknown(),
  values: z.array(z.string()),
  priorUnits: z.array(priorUnitsRow),
});
type Row = PricingInputResponse['rows'][number];
const refused = (field: string, value: unknown, reason: string) => new InputError(field, value, `unexpected connector response: ${reason}`);

/**
 * The rows of a `format=columns` body (`pricingInputColumnsResponse`) as the objects of the rows
 * form, each checked as `parsePricingInput` checks those. A text cell is an index into `values`, so
 * every row shares one string per distinct value, as the rows form gets by canonicalising. A column
 * this client does not know (a newer connector's) is left out, as the schema leaves out an unknown key.
 * What a text may be (a category, a pricing type, a model) is decided once per value, and a row whose
 * cells all pass is built straight away: the objects are this function's whole cost (issue 13's
 * `runQuery` target counts it). Any other row is read cell by cell, naming the first bad one.
 */
function fromColumns(body: unknown, what: string): PricingInputResponse {
  const parsed = parseResponse(columnsEnvelope, body, what);
  // `rows` not an array: the contract's own schema names what is wrong.
  const cells: unknown[] = Array.isArray(parsed.rows) ? parsed.rows : parseResponse(pricingInputColumnsResponse, body, what).rows;
  const { columns, values } = parsed;
  const at = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw refused(`${what}.columns`, columns, `has no column ${name}`);
    return i;
  };
  const [day, time, wabaId, portfolioId, currency, market, category, pricingType, pricingModel, units] = PRICING_INPUT_COLUMNS.map(at) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const dims = columns.flatMap((c, i) => (c.startsWith('dims.') ? [[c.slice('dims.'.length), i] as const] : []));
  const n = values.length;
  const isIndex = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x < n && Number.isInteger(x);
  const isCategory = values.map((v) => categories.has(v));
  const isPricingType = values.map((v) => pricingTypes.has(v));
  const isModel = values.map((v) => v === 'PMP' || v === 'CBP');
  const rows = new Array<Row>(cells.length);
  for (let i = 0; i < cells.length; i += 1) {
    const r = cells[i];
    if (Array.isArray(r)) {
      const a = r[day];
      const b = r[wabaId];
      const c = r[portfolioId];
      const e = r[currency];
      const f = r[market];
      const g = r[category];
      const h = r[pricingType];
      const k = r[pricingModel];
      const t = r[time];
      const u = r[units];
      if (
        isIndex(a) &&
        isIndex(b) &&
        isIndex(c) &&
        isIndex(e) &&
        isIndex(f) &&
        isIndex(g) &&
        isCategory[g] &&
        isIndex(h) &&
        isPricingType[h] &&
        isIndex(k) &&
        isModel[k] &&
        isNumber(t) &&
        isNumber(u)
      ) {
        const d: Record<string, string | null> = {};
        let plain = true;
        for (let j = 0; j < dims.length; j += 1) {
          const [name, col] = dims[j] as (typeof dims)[number];
          const x = r[col];
          if (x === null) d[name] = null;
          else if (isIndex(x)) d[name] = values[x] as string;
          else plain = false;
        }
        if (plain) {
          rows[i] = {
            day: values[a] as string,
            time: t as number,
            wabaId: values[b] as string,
            portfolioId: values[c] as string,
            currency: values[e] as string,
            market: values[f] as string,
            category: values[g] as Row['category'],
            pricingType: values[h] as Row['pricingType'],
            pricingModel: values[k] as Row['pricingModel'],
            units: u as number,
            dims: d,
          };
          continue;
        }
      }
    }
    rows[i] = cellByCell(r, i);
  }
  return { rows, priorUnits: parsed.priorUnits };

  function cellByCell(r: unknown, i: number): Row {
    if (!Array.isArray(r)) throw refused(`${what}.rows[${i}]`, r, 'is not an array of cells');
    const text = (c: number) => {
      const v = isIndex(r[c]) ? values[r[c] as number] : undefined;
      if (v === undefined) throw refused(`${what}.rows[${i}].${columns[c] ?? c}`, r[c], 'is not an index into values');
      return v;
    };
    const d: Record<string, string | null> = {};
    for (const [name, c] of dims) d[name] = r[c] === null ? null : text(c);
    const row = {
      day: text(day),
      time: r[time],
      wabaId: text(wabaId),
      portfolioId: text(portfolioId),
      currency: text(currency),
      market: text(market),
      category: text(category),
      pricingType: text(pricingType),
      pricingModel: text(pricingModel),
      units: r[units],
      dims: d,
    };
    return parseResponse(pricingInputRow, row, `${what}.rows[${i}]`);
  }
}
