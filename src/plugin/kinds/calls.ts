import { InputError } from '@core';
import { CALL_DIMENSIONS, callsQuery, type CallDimension } from '@contract';
import { csv, withPreviousPeriod } from '../api/connector-request';
import { buildCallsFrames } from '../frames/calls-frames';
import { framesWithPrevious } from './shared';
import type { KindSpec } from './spec';

const isCallDimension = (d: string): d is CallDimension => (CALL_DIMENSIONS as readonly string[]).includes(d);

/** Business calls (count and duration) per bucket, from `/calls`. */
export const callsKind: KindSpec<'calls'> = {
  kind: 'calls',
  label: 'Calls',
  description: 'Calls and their minutes per bucket',
  editor: { source: true, interval: true, compare: true, groupBy: () => CALL_DIMENSIONS, fields: [] },
  schema: {},
  defaults: {},
  // Calls cannot group by category and the like: those groupings are dropped rather than left to fail at query time.
  onSelect: (query) => ({ ...query, groupBy: query.groupBy.filter(isCallDimension) }),
  text: { name: 'Calls', interval: true },
  requests(query, range) {
    const bad = query.groupBy.find((d) => !isCallDimension(d));
    if (bad) throw new InputError('groupBy', bad, `cannot group calls; use one of ${CALL_DIMENSIONS.join(', ')}`);
    return withPreviousPeriod(query, range, 'calls', callsQuery, {
      interval: query.interval,
      source: query.source,
      by: csv(query.groupBy),
    });
  },
  frames: (query, responses, { range }) =>
    framesWithPrevious(query, responses, range, (body, o) => buildCallsFrames(body, query.groupBy as CallDimension[], o)),
};
