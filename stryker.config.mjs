import { createRequire } from 'node:module';
import { FOLDERS, mutateOf, partsOf, runName } from './scripts/mutation-parts.mjs';

// Mutation testing (`npm run mutation`, not part of `npm test`): see docs/testing.md for the scores
// and the surviving mutants. Incremental: a re-run only tests mutants whose code or tests changed.
//
// WASPEND_MUTATION_SCOPE picks one folder and the suites that own it (jest.mutation.config.js):
//   core  — src/core against core's own unit tests (npm run mutation:core)
//   query — src/connector/query against the served-values and query suites (npm run mutation:query)
//   frames — src/plugin/frames against the plugin's frame, kind, query and dashboard suites (npm run mutation:frames)
// WASPEND_MUTATION_PART (optional) narrows a scope to one of its parts (scripts/mutation-parts.mjs);
// the npm scripts run every part in turn through scripts/mutation.mjs, so a stopped run keeps the
// parts that finished. `npm run mutation` runs the three scopes in turn. There is no combined run:
// Stryker gives every jest project one test environment (jest.mutation.config.js), and the frames
// need jsdom where the query layer needs node.
// The core and query runs type-check mutants against tsconfig.mutation.json (no plugin, no Grafana
// typings), the frames run against tsconfig.mutation-frames.json (the frames and what they import),
// which is what makes them minutes instead of hours on a 2-core machine.
const scope = process.env.WASPEND_MUTATION_SCOPE;
const part = process.env.WASPEND_MUTATION_PART || undefined;
// Read by the few statistical tests that draw fewer samples when run once per mutant (docs/testing.md).
process.env.WASPEND_MUTATION = '1';
if (!FOLDERS[scope])
  throw new Error(
    `WASPEND_MUTATION_SCOPE must be one of ${Object.keys(FOLDERS).join(', ')} (npm run mutation:<scope>, or npm run mutation for all three); got "${scope ?? ''}"`,
  );
if (part !== undefined && !partsOf(scope).includes(part))
  throw new Error(`WASPEND_MUTATION_PART must be one of ${partsOf(scope).join(', ')} for scope ${scope}; got "${part}"`);
const name = runName(scope, part);

// The query layer's suites run on both stores: one throw-away PostgreSQL cluster serves every
// mutant's jest run (jest's global setup would otherwise start one per mutant), stopped on exit.
if (scope === 'query' && !process.env.WASPEND_TEST_PG_URL) {
  const { startCluster, stopCluster } = createRequire(import.meta.url)('./tests/helpers/postgres-cluster.js');
  const cluster = await startCluster();
  if (cluster) {
    process.env.WASPEND_TEST_PG_URL = cluster.url;
    process.on('exit', () => stopCluster(cluster));
  }
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: scope === 'frames' ? 'tsconfig.mutation-frames.json' : 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: mutateOf(scope, part),
  ignoreStatic: true,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // Two checkers and two test runners: the checkers wait on the runners most of the time.
  concurrency: 4,
  // Added to each mutant's covering-test time before it counts as a timeout (an endless loop).
  timeoutMS: 20000,
  // The first run of every suite with coverage takes minutes on a busy 2-core machine.
  dryRunTimeoutMinutes: 40,
  // Another scope's sandbox, when two scopes run at once, is not part of the project.
  ignorePatterns: ['.stryker-tmp*'],
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: 'always',
};
