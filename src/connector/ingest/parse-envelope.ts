import { InputError } from '@core';
import type { z } from 'zod';
import { envelopeSchema, type Envelope } from './envelope-schema';

/** Formats a zod issue path as `entry[0].changes[1].value.statuses[0].timestamp`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** Validates `data` against `schema`, throwing InputError naming the first offending path (after `prefix`). */
export function parseAt<T extends z.ZodType>(schema: T, data: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  throw new InputError(formatPath(path, prefix), valueAt(data, path), issue?.message ?? 'is invalid');
}

/** Meta's envelopes nest about 8 levels; anything far deeper is hostile and would exhaust the stack later on. */
export const MAX_NESTING = 64;

/** Deepest array/object nesting in JSON text (brackets inside strings ignored), stopping early past `limit`. */
export function nestingDepth(text: string, limit = MAX_NESTING): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Parses a raw webhook body (bytes or text) into a validated envelope. */
export function parseEnvelope(body: Buffer | string): Envelope {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (nestingDepth(text) > MAX_NESTING)
    throw new InputError('(body)', text.slice(0, 40), `nests arrays/objects deeper than ${MAX_NESTING} levels`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError('(body)', text, `is not valid JSON (${(err as Error).message})`);
  }
  return parseAt(envelopeSchema, json);
}
