import { z } from 'zod';

// Pieces both the config schema and its `reports:` part are built from, so they reject alike.

export const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const timeZone = nonEmpty.refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/Sao_Paulo');

/** A Meta id (WABA, portfolio): YAML reads an unquoted one as a number, so it is taken as a string. */
export const metaId = z.union([nonEmpty, z.number().int().transform(String)]);
