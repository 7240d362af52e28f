/**
 * The one error type core throws for bad input: it names the field and the offending value so that a
 * CLI, an HTTP 400 or a Grafana notice can tell the user exactly what to fix.
 */
export class InputError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;

  constructor(field: string, value: unknown, reason: string) {
    super(`${field}: ${describe(value)} ${reason}`);
    this.name = 'InputError';
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === undefined) return '(missing)';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
