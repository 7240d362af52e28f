import { DEFAULT_TIMEZONE_DISPLAY } from '../options';

/**
 * Checks for the settings form: each returns a sentence for the field's error slot, or undefined.
 * Empty optional fields are fine; the connector URL is required because the proxy route needs it.
 */
export function checkConnectorUrl(value: string | undefined): string | undefined {
  if (!value) return 'Set the connector URL: the data-source proxy route needs it.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Not a URL: include the scheme, e.g. http or https followed by ://host:port.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `Scheme ${url.protocol} is not supported: use http or https.`;
  if (url.pathname !== '/' && url.pathname !== '') return 'Leave out the path: the plugin adds /api/v1/... itself.';
  if (url.username || url.password) return 'Do not put credentials in the URL: use the API token field.';
  return undefined;
}

export function checkTimeZone(value: string | undefined): string | undefined {
  if (!value || value === DEFAULT_TIMEZONE_DISPLAY) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return undefined;
  } catch {
    return `Unknown time zone "${value}": use "${DEFAULT_TIMEZONE_DISPLAY}" or an IANA name such as UTC.`;
  }
}
