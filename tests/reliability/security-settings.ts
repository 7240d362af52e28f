/**
 * Limits the security suite configures on the connector and then measures against. Kept small so
 * the slowloris check finishes in seconds (production defaults are larger; see docs/reliability.md).
 */
import type { ConfigExtras } from '../helpers/reliability-config';

export const SECURITY_SETTINGS = {
  bodyLimitBytes: 1024 * 1024,
  requestTimeoutMs: 3000,
};

export function securityConfigExtras(): ConfigExtras {
  return {
    server: { bodyLimitBytes: SECURITY_SETTINGS.bodyLimitBytes, requestTimeoutMs: SECURITY_SETTINGS.requestTimeoutMs },
  };
}
