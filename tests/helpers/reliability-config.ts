/**
 * Writes a connector config (YAML) for the reliability suites into a temp directory. Secrets are
 * passed through ${ENV} expansion so the file on disk never holds them, as in a real deployment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { RELIABILITY_WABAS } from './webhook-envelopes';

export interface ReliabilitySecrets {
  apiToken: string;
  appSecret: string;
  metaToken: string;
}

/** Long random-looking secrets that cannot appear in any log by accident. */
export function makeSecrets(tag: string): ReliabilitySecrets {
  const r = () => Math.random().toString(36).slice(2, 12);
  return {
    apiToken: `apitok-${tag}-${r()}${r()}`,
    appSecret: `appsec-${tag}-${r()}${r()}`,
    metaToken: `EAAmeta${tag}${r()}${r()}${r()}`,
  };
}

export function secretEnv(s: ReliabilitySecrets): NodeJS.ProcessEnv {
  return { WASPEND_REL_API_TOKEN: s.apiToken, WASPEND_REL_APP_SECRET: s.appSecret, WASPEND_REL_META_TOKEN: s.metaToken };
}

export interface ConfigExtras {
  /** Merged into each waba entry (e.g. a meta puller block). */
  waba?: (index: number) => Record<string, unknown>;
  /** Merged at the top level. */
  top?: Record<string, unknown>;
  /** Merged into `webhooks`. */
  webhooks?: Record<string, unknown>;
  /** Merged into `server`. */
  server?: Record<string, unknown>;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `waspend-${prefix}-`));
}

export function writeConnectorConfig(dir: string, extras: ConfigExtras = {}): string {
  const config = {
    apiToken: '${WASPEND_REL_API_TOKEN}',
    webhooks: { appSecret: '${WASPEND_REL_APP_SECRET}', verifyToken: 'reliability-verify', ...extras.webhooks },
    ...(extras.server ? { server: extras.server } : {}),
    wabas: RELIABILITY_WABAS.map((w, i) => ({
      id: w.id,
      name: w.name,
      timezone: w.timezone,
      currency: w.currency,
      portfolio: w.portfolio,
      ...(extras.waba?.(i) ?? {}),
    })),
    ...extras.top,
  };
  const file = path.join(dir, 'waspend.yaml');
  fs.writeFileSync(file, stringify(config));
  return file;
}
