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

/** Parses a raw webhook body (bytes or text) into a validated envelope. */
export function parseEnvelope(body: Buffer | string): Envelope {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError('(body)', text, `is not valid JSON (${(err as Error).message})`);
  }
  return parseAt(envelopeSchema, json);
}
