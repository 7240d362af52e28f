import { InputError } from '../errors';
import { PRICING_MODELS } from '../model/category';
import type { UsageRow } from '../model/usage';
import { assertDay } from '../time/calendar';

// Unknown categories and types are kept (lower snake case, as normaliseCategory makes them) and
// reported by the pricer; only a missing or unnormalised value is bad input.
const SNAKE_RE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const isSnake = (value: unknown): boolean => typeof value === 'string' && SNAKE_RE.test(value);
const models = new Set<string>(PRICING_MODELS);
const STRING_FIELDS = ['wabaId', 'portfolioId', 'currency', 'market'] as const;

function isName(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** Checks the fields pricing reads; a bad row is an InputError naming `rows[i].field`. */
export function assertUsageRows(rows: readonly UsageRow[], field = 'rows'): void {
  if (!Array.isArray(rows)) throw new InputError(field, rows, 'must be an array of usage rows');
  const days = new Set<string>();
  // A few category and type values repeat on every row: each is tested against the pattern once.
  const snake = new Set<unknown>();
  const isSnakeOnce = (value: unknown): boolean => snake.has(value) || (isSnake(value) && snake.add(value) !== undefined);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as UsageRow;
    if (row === null || typeof row !== 'object') throw new InputError(`${field}[${i}]`, row, 'is not a usage row');
    if (!days.has(row.day)) {
      assertDay(row.day, `${field}[${i}].day`);
      days.add(row.day);
    }
    // One cheap test per row; the field-by-field checks below only run to name what is wrong.
    if (
      Number.isSafeInteger(row.units) &&
      row.units >= 0 &&
      isSnakeOnce(row.category) &&
      isSnakeOnce(row.pricingType) &&
      models.has(row.pricingModel) &&
      isName(row.wabaId) &&
      isName(row.portfolioId) &&
      isName(row.currency) &&
      isName(row.market)
    )
      continue;
    const at = (name: string) => `${field}[${i}].${name}`;
    if (!Number.isSafeInteger(row.units) || row.units < 0) throw new InputError(at('units'), row.units, 'must be a whole number >= 0');
    if (!isSnake(row.category)) throw new InputError(at('category'), row.category, 'must be a pricing category in lower snake case');
    if (!isSnake(row.pricingType)) throw new InputError(at('pricingType'), row.pricingType, 'must be a pricing type in lower snake case');
    if (!models.has(row.pricingModel)) throw new InputError(at('pricingModel'), row.pricingModel, 'must be CBP or PMP');
    for (const name of STRING_FIELDS) if (!isName(row[name])) throw new InputError(at(name), row[name], 'must be a non-empty string');
  }
}
