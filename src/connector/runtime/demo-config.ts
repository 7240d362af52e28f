import { DEMO_WABAS } from '../demo';
import type { ConnectorConfig } from '../config';

/** The configuration `serve --demo` uses when no --config is given: the demo's three WABAs, no pulls. */
export function demoConfig(apiToken: string): ConnectorConfig {
  return {
    apiToken,
    wabas: DEMO_WABAS.map((w) => ({
      id: w.id,
      name: w.name,
      timezone: w.timezone,
      currency: w.currency,
      portfolio: w.portfolio,
    })),
  };
}
