import type { DataSourceJsonData } from '@grafana/data';

/**
 * Settings stored in the data source's jsonData (visible to every dashboard viewer, so nothing
 * secret). `connectorUrl` is only read by Grafana's server when it fills the proxy route.
 */
export interface WaspendOptions extends DataSourceJsonData {
  /** Where Grafana's server reaches the connector, e.g. the compose service name and port. */
  connectorUrl?: string;
  // No "default currency": amounts are never converted (there are no exchange rates here), each
  // connector row carries its WABA's billing currency and frames keep it. A `defaultCurrency` left in
  // older saved settings is ignored and kept as it was.
  /**
   * Which time zone names "today" and the current month for projections and tiers:
   * `dashboard` follows the dashboard's time zone, anything else is an IANA zone such as `UTC`.
   */
  timezoneDisplay?: string;
}

/** Encrypted by Grafana on save; never sent back to the browser, only added to proxied requests. */
export interface WaspendSecureJsonData {
  apiToken?: string;
}

/** The plugin.json route whose url/headers Grafana's server fills in (connector URL, bearer token). */
export const PROXY_ROUTE = 'connector';

export const DEFAULT_TIMEZONE_DISPLAY = 'dashboard';

/**
 * The IANA zone a query runs in. Grafana's dashboard zone is `browser`, `utc`, empty (meaning the
 * user's default) or an IANA name; a zone fixed in the data source settings wins over all of them.
 */
export function resolveTimeZone(setting: string | undefined, dashboardZone: string | undefined): string {
  const fixed = setting?.trim();
  if (fixed && fixed !== DEFAULT_TIMEZONE_DISPLAY) return fixed.toLowerCase() === 'utc' ? 'UTC' : fixed;
  if (!dashboardZone || dashboardZone === 'browser') return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  if (dashboardZone.toLowerCase() === 'utc') return 'UTC';
  return dashboardZone;
}
