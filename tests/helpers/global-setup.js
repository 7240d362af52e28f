const { startCluster } = require('./postgres-cluster');
const { pretendMissing } = require('./system-packages');

module.exports = async function globalSetup() {
  if (process.env.WASPEND_TEST_PG_URL || pretendMissing('PostgreSQL')) return;
  const cluster = await startCluster();
  if (cluster) {
    process.env.WASPEND_TEST_PG_URL = cluster.url;
    globalThis.__WASPEND_PG__ = cluster;
  }
};
