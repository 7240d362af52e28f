const { startCluster } = require('./postgres-cluster');

module.exports = async function globalSetup() {
  if (process.env.WASPEND_TEST_PG_URL) return;
  const cluster = await startCluster();
  if (cluster) {
    process.env.WASPEND_TEST_PG_URL = cluster.url;
    globalThis.__WASPEND_PG__ = cluster;
  }
};
