/**
 * The error `fn` throws, for assertions on its fields: anything of another type is thrown on (so the test
 * shows the real failure), and not throwing at all fails the test. Core's own tests may not import from
 * tests/, so they have src/core/test-fixtures/input-error-of.ts instead.
 */
export function errorOf<E extends Error>(fn: () => unknown, type: new (...args: any[]) => E): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}
