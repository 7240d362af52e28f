/**
 * Tokens must never reach logs, errors, /health or /metrics. Requests carry them in headers only,
 * but Graph `paging.next` URLs embed `access_token`, and upstream error text could echo anything,
 * so every URL and upstream message passes through here before it is logged or thrown.
 */

const SECRET_PARAMS = /([?&])(access_token|api_key|apikey|key|token|client_secret|appsecret_proof)=[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1$2=[redacted]');
}

/** Replaces every occurrence of each secret (and the URL secret params) with [redacted]. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Drops secret query params entirely (used before following a `paging.next` URL). */
export function stripSecretParams(url: URL): URL {
  const copy = new URL(url.toString());
  for (const key of [...copy.searchParams.keys()]) {
    if (/^(access_token|appsecret_proof)$/i.test(key)) copy.searchParams.delete(key);
  }
  return copy;
}
