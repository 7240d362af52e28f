import { buildUsageFrames } from '../frames/usage-frames';
import { allGroupings, framesWithPrevious, usageRequests } from './shared';
import type { KindSpec } from './spec';

/** Messages sent and received per bucket, from `/usage`. */
export const messagesKind: KindSpec<'messages'> = {
  kind: 'messages',
  label: 'Messages',
  description: 'Message counts per bucket, split by the grouping',
  editor: { source: true, interval: true, compare: true, groupBy: allGroupings, fields: [] },
  schema: {},
  defaults: {},
  text: { name: 'Messages', interval: true },
  requests: usageRequests,
  frames: (query, responses, { range }) =>
    framesWithPrevious(query, responses, range, (body, o) => buildUsageFrames(body, 'messages', query.groupBy, o)),
};
