// The jest projects Stryker runs for `npm run mutation`: the in-process suites that exercise core,
// the connector's query layer and the plugin's frames. Tests that spawn `waspend` as a child process
// are left out: a mutant is active only inside the jest process, so they could never kill one.
const { projects } = require('./jest.config.js');
const [node, plugin] = projects;
const scope = process.env.WASPEND_MUTATION_SCOPE ?? 'all'; // see stryker.config.mjs

const coreSuites = ['<rootDir>/src/core/**/*.test.ts'];
const querySuites = [
  '<rootDir>/src/connector/query/**/*.test.ts',
  '<rootDir>/src/connector/http/app.test.ts',
  '<rootDir>/tests/integration/served-values.test.ts',
];
const nodeSuites = { core: coreSuites, query: querySuites, all: [...coreSuites, ...querySuites] }[scope];

module.exports = {
  projects: [
    { ...node, roots: ['<rootDir>/src/core', '<rootDir>/src/connector', '<rootDir>/tests/integration'], testMatch: nodeSuites },
    ...(scope === 'all' ? [{ ...plugin, roots: ['<rootDir>/src/plugin/frames', '<rootDir>/src/plugin/query'] }] : []),
  ],
};
