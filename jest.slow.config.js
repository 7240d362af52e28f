// Suites that need the built dist/, a browser, PostgreSQL, Prometheus or minutes of wall time.
// They run one file at a time so that timing figures (soak p99, crash tests) are not skewed by each other.
process.env.TZ = 'UTC';
const [base, plugin] = require('./jest.config.js').projects;

const slow = {
  displayName: 'slow',
  testEnvironment: 'node',
  roots: ['tests/e2e', 'tests/alerting', 'tests/reliability', 'tests/browser']
    .filter((r) => require('fs').existsSync(require('path').join(__dirname, r)))
    .map((r) => `<rootDir>/${r}`),
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
  moduleNameMapper: base.moduleNameMapper,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
};

// The built plugin bundle evaluated the way Grafana does (AMD, shared dependencies injected). It
// needs the DOM and the plugin project's transforms for the ESM-only packages @grafana/* pull in.
const pluginLoad = {
  displayName: 'plugin-load',
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/plugin-load'],
  testMatch: ['**/module-*.test.ts'],
  transform: plugin.transform,
  transformIgnorePatterns: plugin.transformIgnorePatterns,
  moduleNameMapper: plugin.moduleNameMapper,
  setupFiles: plugin.setupFiles,
};

module.exports = {
  projects: [slow, pluginLoad],
  maxWorkers: 1,
  testTimeout: 600000,
};
