import { InputError } from '../errors';

/**
 * The field and reason of the InputError `run` throws, or null when it throws nothing, so a test can
 * state the whole expected verdict in one `toEqual` (a good input: `toBeNull()`). Anything else thrown
 * is thrown on. Core's counterpart of tests/helpers/error-of.ts, which core (tests included) may not import.
 */
export function inputErrorOf(run: () => unknown): { field: string; reason: string } | null {
  try {
    run();
    return null;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { field: err.field, reason: err.reason };
  }
}

/**
 * The whole message (`field: value reason`) of the InputError `run` throws, or null when it throws
 * nothing: for tests that also pin the offending value as the user sees it. Anything else thrown is
 * thrown on.
 */
export function inputErrorMessageOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return err.message;
  }
}
