import { buildUsageFrames } from '../frames/usage-frames';
import { allGroupings, framesWithPrevious, usageRequests } from './shared';
import type { KindSpec } from './spec';

/** Cost per bucket in the account's currency, from `/usage` (the estimate or Meta's figures). */
export const costKind: KindSpec<'cost'> = {
  kind: 'cost',
  label: 'Cost',
  description: 'Cost per bucket, split by the grouping',
  editor: { source: true, interval: true, compare: true, groupBy: allGroupings, fields: [] },
  schema: {},
  defaults: {},
  text: { name: 'Cost', interval: true },
  requests: usageRequests,
  frames: (query, responses, { range }) =>
    framesWithPrevious(query, responses, range, (body, o) => buildUsageFrames(body, 'cost', query.groupBy, o)),
};
