// The parts each mutation scope is run in (scripts/mutation.mjs, stryker.config.mjs). Stryker writes
// its report and its incremental file only when a run ends, so a scope that takes hours on a 2-core
// machine is run a part at a time: a part that finishes keeps its results even if the next one is
// stopped, and its next run re-tests only what changed. A scope's last part takes every file the
// others leave, so the parts always cover the whole folder exactly once.

/** Folder globs of each scope. */
export const FOLDERS = {
  core: 'src/core/**/*.ts',
  query: 'src/connector/query/**/*.ts',
  frames: 'src/plugin/frames/**/*.ts',
};

/** Never mutated: tests, barrels and core's test fixtures. */
export const NOT_MUTATED = ['!**/*.test.ts', '!**/index.ts', '!src/core/test-fixtures/**'];

/** Each scope's named parts, in run order; `rest` (always last) is the folder minus the named parts. */
export const PARTS = {
  core: {
    time: ['src/core/time/**/*.ts'],
    rules: ['src/core/rules/**/*.ts'],
    windows: ['src/core/windows/**/*.ts'],
    'what-if': ['src/core/what-if/**/*.ts'],
    pricing: ['src/core/pricing/**/*.ts'],
    ratecard: ['src/core/ratecard/**/*.ts'],
  },
  // The served numbers first: usage and cost series and the pricing beneath them. The small shared
  // modules are a part of their own: a part that finishes in a session keeps its results.
  query: {
    ranges: [
      'src/connector/query/buckets.ts',
      'src/connector/query/day-range.ts',
      'src/connector/query/query-context.ts',
      'src/connector/query/grain-allocation.ts',
    ],
    // One file a part: each is covered by the slowest suites (the demo-seeded store equivalences).
    stored: ['src/connector/query/stored-pricing.ts'],
    usage: ['src/connector/query/usage-series.ts'],
    priced: ['src/connector/query/priced-usage.ts'],
    other: ['src/connector/query/other-series.ts'],
    calls: ['src/connector/query/calls-series.ts', 'src/connector/query/hourly-usage.ts', 'src/connector/query/monthly-reconciliation.ts'],
  },
  // The usage panels' path (series naming, money units, the /pricing-input reader) apart from the
  // other kinds' frames, so each half keeps its results if a session ends.
  frames: {
    'what-if': ['src/plugin/frames/what-if-frames.ts'],
    series: [
      'src/plugin/frames/usage-frames.ts',
      'src/plugin/frames/series.ts',
      'src/plugin/frames/money-units.ts',
      'src/plugin/frames/micros-sum.ts',
      'src/plugin/frames/pricing-input.ts',
      'src/plugin/frames/parse-response.ts',
      'src/plugin/frames/annotation-frames.ts',
    ],
  },
};

export const REST = 'rest';

/** The part names of a scope, in run order. */
export const partsOf = (scope) => [...Object.keys(PARTS[scope] ?? {}), REST];

/** Stryker's `mutate` for a scope, or for one part of it. */
export function mutateOf(scope, part) {
  const named = PARTS[scope] ?? {};
  if (part === undefined) return [FOLDERS[scope], ...NOT_MUTATED];
  if (part === REST)
    return [
      FOLDERS[scope],
      ...Object.values(named)
        .flat()
        .map((glob) => `!${glob}`),
      ...NOT_MUTATED,
    ];
  if (!named[part]) throw new Error(`mutation part "${part}" is not one of ${partsOf(scope).join(', ')} (scope ${scope})`);
  return [...named[part], ...NOT_MUTATED];
}

/** The name a run's report and incremental file carry: the scope, or `<scope>-<part>`. */
export const runName = (scope, part) => (part === undefined ? scope : `${scope}-${part}`);
