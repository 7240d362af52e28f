// Suites that need the built dist/, a browser, PostgreSQL, Prometheus or minutes of wall time.
// They run one file at a time so that timing figures (soak p99, crash tests) are not skewed by each other.
process.env.TZ = 'UTC';
const base = require('./jest.config.js').projects[0];

module.exports = {
  displayName: 'slow',
  testEnvironment: 'node',
  roots: ['tests/e2e', 'tests/alerting', 'tests/reliability']
    .filter((r) => require('fs').existsSync(require('path').join(__dirname, r)))
    .map((r) => `<rootDir>/${r}`),
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
  moduleNameMapper: base.moduleNameMapper,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  maxWorkers: 1,
  testTimeout: 600000,
};
