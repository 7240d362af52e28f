export { configSchema, type ConnectorConfig, type WabaConfig } from './config-schema';
export { ConfigError, expandEnv, loadConfig, parseConfig } from './load-config';
export { REPORT_NAME, reportSchema, type ReportConfig, type ReportRange } from './reports-schema';
