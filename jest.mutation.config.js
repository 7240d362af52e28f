// The jest projects Stryker runs for `npm run mutation`: the in-process suites that exercise core,
// the connector's query layer and the plugin's frames. Tests that spawn `waspend` as a child process
// are left out: a mutant is active only inside the jest process, so they could never kill one.
const { projects } = require('./jest.config.js');
// For the same reason the connector answers /api/v1 queries in the jest process here, not in its query
// worker: the worker thread loads the sources itself, where no mutant is ever switched on.
process.env.WASPEND_QUERY_WORKER = 'false';
const [node, plugin] = projects;
const scope = process.env.WASPEND_MUTATION_SCOPE; // see stryker.config.mjs, which checks it

const coreSuites = ['<rootDir>/src/core/**/*.test.ts'];
// Every in-process suite that reaches the query layer: its own tests, the HTTP routes that call it,
// the re-pricer's runtime tests, the store behaviour suites (priced rollups and /pricing-input are
// read through the query layer) and the served-values and wide-range suites. The behaviour suites run
// on SQLite only here: a mutant lives in the query layer, which is the same code on both engines (the
// stores are not mutated), and the PostgreSQL twin doubled the slowest suites' time, so a part of
// ~600 mutants no longer finished in a session. `npm test` runs them on both.
const querySuites = [
  '<rootDir>/src/connector/query/**/*.test.ts',
  '<rootDir>/src/connector/http/app.test.ts',
  '<rootDir>/src/connector/http/price-file-routes.test.ts',
  '<rootDir>/src/connector/runtime/repricing.test.ts',
  '<rootDir>/src/connector/runtime/commit-signal.test.ts',
  '<rootDir>/tests/store/sqlite.test.ts',
  '<rootDir>/tests/integration/served-values.test.ts',
  '<rootDir>/tests/integration/wide-range.test.ts',
];
// The frames are built by the plugin's own suites and read, as Grafana would show them, by the
// dashboard golden-panel and transformation suites (in-process; they run under jsdom here).
const dashboardSuites = ['<rootDir>/tests/dashboards/golden-panels.test.ts', '<rootDir>/tests/dashboards/dashboard-transforms.test.ts'];
const nodeSuites = { core: coreSuites, query: querySuites }[scope];

// Stryker runs jest once per mutant: a globalSetup that starts a PostgreSQL cluster would start one
// per mutant. Core's tests need none; the query scope gets one cluster for the whole run from
// stryker.config.mjs (WASPEND_TEST_PG_URL), which the global setup then leaves alone.
const noCluster = scope === 'core' ? { globalSetup: undefined, globalTeardown: undefined } : {};

// Stryker's perTest coverage swaps every project's test environment for one wrapper around the
// top-level one, so a scope runs in one environment: node for core and the query layer, jsdom for
// the frames (whose dashboard suites run there too).
module.exports =
  scope === 'frames'
    ? {
        ...plugin,
        displayName: undefined,
        testTimeout: 60_000,
        roots: ['<rootDir>/src/plugin', '<rootDir>/tests/dashboards'],
        testMatch: [
          '<rootDir>/src/plugin/{frames,kinds,query}/**/*.test.ts',
          '<rootDir>/src/plugin/datasource.test.ts',
          ...dashboardSuites,
        ],
      }
    : {
        // jest.config.js's reason, and more so here: a mutation run shares the cores with its own checkers.
        testTimeout: 60_000,
        projects: [
          {
            ...node,
            ...noCluster,
            roots: ['<rootDir>/src/core', '<rootDir>/src/connector', '<rootDir>/tests/integration', '<rootDir>/tests/store'],
            testMatch: nodeSuites,
          },
        ],
      };
