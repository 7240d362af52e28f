// The jest projects Stryker runs for `npm run mutation`: the in-process suites that exercise core,
// the connector's query layer and the plugin's frames. Tests that spawn `waspend` as a child process
// are left out: a mutant is active only inside the jest process, so they could never kill one.
const { projects } = require('./jest.config.js');
const [node, plugin] = projects;
const only = process.env.WASPEND_MUTATION_SCOPE; // 'core' narrows the run to core's own suites

module.exports = {
  projects: [
    {
      ...node,
      roots: only === 'core' ? ['<rootDir>/src/core'] : ['<rootDir>/src/core', '<rootDir>/src/connector', '<rootDir>/tests/integration'],
      testMatch:
        only === 'core'
          ? ['**/*.test.ts']
          : [
              '<rootDir>/src/core/**/*.test.ts',
              '<rootDir>/src/connector/query/**/*.test.ts',
              '<rootDir>/src/connector/http/app.test.ts',
              '<rootDir>/tests/integration/served-values.test.ts',
            ],
    },
    ...(only === 'core' ? [] : [{ ...plugin, roots: ['<rootDir>/src/plugin/frames', '<rootDir>/src/plugin/query'] }]),
  ],
};
