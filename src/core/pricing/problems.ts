import type { PricingProblem } from '../model/usage';

/** Aggregates pricing gaps to one problem per code, currency, day, market and category. */
export class ProblemCollector {
  private readonly byKey = new Map<string, PricingProblem>();
  /** The problem the last add went to: a run of rows with one gap (a stale tier table on every tiered row) skips the key. */
  private last: PricingProblem | undefined;

  add(problem: Omit<PricingProblem, 'rows'>): void {
    const last = this.last;
    if (
      last !== undefined &&
      last.code === problem.code &&
      last.currency === problem.currency &&
      last.day === problem.day &&
      last.market === problem.market &&
      last.category === problem.category
    ) {
      last.rows += 1;
      if (problem.units !== undefined) last.units = (last.units ?? 0) + problem.units;
      return;
    }
    const key = `${problem.code}|${problem.currency}|${problem.day}|${problem.market ?? ''}|${problem.category ?? ''}`;
    let seen = this.byKey.get(key);
    if (seen) {
      seen.rows += 1;
      if (problem.units !== undefined) seen.units = (seen.units ?? 0) + problem.units;
    } else this.byKey.set(key, (seen = { ...problem, rows: 1 }));
    this.last = seen;
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
