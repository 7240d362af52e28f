export { configSchema, type ConnectorConfig, type WabaConfig } from './config-schema';
export { ConfigError, expandEnv, loadConfig, parseConfig } from './load-config';
