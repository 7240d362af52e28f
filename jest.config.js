// Two projects: node (core, contract, connector, the store adapters' behaviour suites, integration, architecture) and jsdom (the plugin).
// Slow suites that need the built bundle, a browser, PostgreSQL or Prometheus live in jest.slow.config.js
// and are run by scripts/test-all.mjs after the build.
process.env.TZ = 'UTC';

const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

// ESM-only packages that @grafana/data and @grafana/ui pull in (measured for 13.2.2).
const esm = [
  'marked',
  'd3-[a-z-]+',
  'internmap',
  'uuid',
  '@react-hookz/web',
  '@ver0/deep-equal',
  'react-calendar',
  'get-user-locale',
  'memoize',
  'mimic-function',
  '@wojtekmaj/date-utils',
];

// Roots that do not exist yet (a folder git does not carry until it has a file) are left out
// instead of failing jest's configuration check on a clean clone.
const fs = require('fs');
const path = require('path');
const existing = (roots) => roots.filter((r) => fs.existsSync(path.join(__dirname, r.replace('<rootDir>/', ''))));

const aliases = {
  '^@core$': '<rootDir>/src/core/index.ts',
  '^@contract$': '<rootDir>/src/contract/index.ts',
};

module.exports = {
  // The machine running the suites is often shared and loaded: 5 s (jest's default) timed out store tests
  // that take well under a second alone. A wrong answer still fails at once.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      roots: existing([
        '<rootDir>/src/core',
        '<rootDir>/src/contract',
        '<rootDir>/src/connector',
        '<rootDir>/tests/architecture',
        '<rootDir>/tests/store',
        '<rootDir>/tests/integration',
        '<rootDir>/tests/dashboards',
        '<rootDir>/tests/plugin-load',
      ]),
      testMatch: ['**/*.test.ts'],
      // The bundle tests (module-*.test.ts) need dist/, built after the fast suites: jest.slow.config.js runs them.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/plugin-load/module-'],
      // tests/dashboards reads queries through the plugin's query kinds, whose frame builders load @grafana/data.
      transform: { '^.+\\.(t|j)sx?$|^.+\\.mjs$': swc },
      transformIgnorePatterns: [`node_modules/(?!(${esm.join('|')})/)`],
      moduleNameMapper: aliases,
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      globalTeardown: '<rootDir>/tests/helpers/global-teardown.js',
    },
    {
      displayName: 'plugin',
      testEnvironment: 'jsdom',
      roots: existing(['<rootDir>/src/plugin']),
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      transform: { '^.+\\.(t|j)sx?$|^.+\\.mjs$': swc },
      transformIgnorePatterns: [`node_modules/(?!(${esm.join('|')})/)`],
      moduleNameMapper: { ...aliases, '\\.(css|scss|sass)$': '<rootDir>/tests/helpers/style-stub.js' },
      setupFiles: ['<rootDir>/tests/helpers/jsdom-setup.js'],
    },
  ],
};
