import { z } from 'zod';
import { CATEGORIES, PRICING_TYPES } from '@core';
import { pricingInputResponse, pricingInputRow, priorUnitsRow, type PricingInputResponse } from '@contract';
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
