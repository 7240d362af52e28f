import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type ConnectorConfig } from '../config';
import { demoConfig } from '../runtime/demo-config';
import { DEFAULT_DB } from '../runtime/open-store';

export interface CommonFlags {
  config?: string;
  db?: string;
}

/**
 * Resolves config, store URL, host and port with the documented precedence:
 * flag > environment (WASPEND_CONFIG, WASPEND_DB, WASPEND_HOST, WASPEND_PORT, WASPEND_API_TOKEN) > config file > default.
 */
export function resolveConfig(
  flags: CommonFlags,
  opts: { demo?: boolean } = {},
): { config: ConnectorConfig; configFile: string | null; generatedToken: string | null } {
  const file = flags.config ?? process.env.WASPEND_CONFIG;
  let generatedToken: string | null = null;
  let config: ConnectorConfig;
  if (file) {
    config = loadConfig(file);
  } else if (opts.demo) {
    const token = process.env.WASPEND_API_TOKEN;
    if (!token) generatedToken = randomBytes(18).toString('base64url');
    config = demoConfig(token ?? (generatedToken as string));
  } else {
    throw new ConfigError('', 'no configuration: pass --config FILE (or set WASPEND_CONFIG), or use --demo');
  }
  if (process.env.WASPEND_API_TOKEN && file) config = { ...config, apiToken: process.env.WASPEND_API_TOKEN };
  return { config, configFile: file ?? null, generatedToken };
}

export function resolveDb(flags: CommonFlags, config?: ConnectorConfig): string {
  return flags.db ?? process.env.WASPEND_DB ?? config?.db ?? DEFAULT_DB;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError('--port', `"${value}" is not a port number (0-65535)`);
  return n;
}

export function parseDay(flag: string) {
  return (value: string): string => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw new ConfigError(flag, `"${value}" is not a date YYYY-MM-DD`);
    }
    return value;
  };
}

/**
 * `--as-of` / WASPEND_DEMO_AS_OF: an ISO date or timestamp with an explicit zone (or a bare date, read
 * as UTC midnight), so the same value means the same instant on every machine.
 */
export function parseAsOf(value: string | undefined, flag = '--as-of'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const ms = ok ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ConfigError(flag, `"${value}" is not an instant: use YYYY-MM-DD or an ISO timestamp with a zone, e.g. 2026-11-15T12:00:00Z`);
  }
  return ms;
}
