import type { PricingProblem } from '../model/usage';

/** Aggregates pricing gaps to one problem per code, currency, day, market and category. */
export class ProblemCollector {
  private readonly byKey = new Map<string, PricingProblem>();

  add(problem: Omit<PricingProblem, 'rows'>): void {
    const key = `${problem.code}|${problem.currency}|${problem.day}|${problem.market ?? ''}|${problem.category ?? ''}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.rows += 1;
      if (problem.units !== undefined) seen.units = (seen.units ?? 0) + problem.units;
    } else this.byKey.set(key, { ...problem, rows: 1 });
  }

  /** In a total order (day, code, message, then the rest of the key): never the order rows were priced in. */
  list(): PricingProblem[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        a.day.localeCompare(b.day) ||
        a.code.localeCompare(b.code) ||
        a.message.localeCompare(b.message) ||
        a.currency.localeCompare(b.currency) ||
        (a.market ?? '').localeCompare(b.market ?? '') ||
        (a.category ?? '').localeCompare(b.category ?? ''),
    );
  }
}
