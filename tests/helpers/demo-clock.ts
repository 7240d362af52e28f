/**
 * The instant every test on demo data pins (`serve --demo --as-of`, `waspend demo --as-of`), so its
 * figures do not move with the calendar and the hard days are in the data on purpose: the demo's days
 * before 2026-11-15 (WABA-local) cross the September/October and October/November month ends, and
 * Europe/Berlin's change from CEST to CET on 2026-10-25 (a 25-hour day) for the Berlin WABA, while
 * mid-November leaves a month-to-date with days done and days to project.
 */
export const DEMO_AS_OF = '2026-11-15T12:00:00Z';
export const DEMO_AS_OF_MS = Date.parse(DEMO_AS_OF);
/** The flags that pin a `waspend serve --demo` or `waspend demo` run to DEMO_AS_OF. */
export const DEMO_AS_OF_ARGS: readonly string[] = ['--as-of', DEMO_AS_OF];
