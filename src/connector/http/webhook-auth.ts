import { timingSafeEqual } from 'node:crypto';
import { verifySignature } from '../ingest';
import type { AppOptions } from './app-options';

function equalSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const headerOf = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * True when the request may be ingested: with no secret configured every body is accepted; with
 * one or both configured, a valid Meta signature or the matching 360Dialog header suffices.
 */
export function isAuthorised(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, opts: AppOptions): boolean {
  if (!opts.appSecret && !opts.sharedSecret) return true;
  if (opts.appSecret && verifySignature(rawBody, headerOf(headers, 'x-hub-signature-256'), opts.appSecret)) return true;
  if (opts.sharedSecret) {
    const given = headerOf(headers, opts.sharedSecret.header);
    if (given !== undefined && equalSecret(given, opts.sharedSecret.value)) return true;
  }
  return false;
}
