const { stopCluster } = require('./postgres-cluster');

module.exports = async function globalTeardown() {
  if (globalThis.__WASPEND_PG__) stopCluster(globalThis.__WASPEND_PG__);
};
