import type { z } from 'zod';
import { InputError } from '@core';

/** Validates a connector response against its contract schema, naming the first bad field. */
export function parseResponse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new InputError(`${what}${path}`, undefined, `unexpected connector response: ${issue?.message ?? 'invalid'}`);
}
