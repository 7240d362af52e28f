import { usageQuery, type UsageDimension } from '@contract';
import { connectorRequest, rangeParams } from '../api/connector-request';
import { buildAllocationFrames } from '../frames/allocation-frames';
import { allGroupings } from './shared';
import type { KindSpec } from './spec';

/** The dimension an allocation splits by: the first grouping that is not market or category. */
export function allocationDimension(groupBy: readonly UsageDimension[]): UsageDimension {
  return groupBy.find((d) => d !== 'market' && d !== 'category') ?? 'group';
}

/** Totals per market x category (core `allocateByMarketCategory`) split by our own per-group billed units. */
export const allocationKind: KindSpec<'allocation'> = {
  kind: 'allocation',
  label: 'Cost allocation',
  description: 'The month’s cost split over cost groups (or another dimension) by their billed units',
  editor: { source: true, interval: false, compare: false, groupBy: allGroupings, fields: [] },
  schema: {},
  defaults: {},
  text: { name: 'Cost allocation', interval: false },
  requests(query, range) {
    // Totals (possibly Meta's) per market x category, split by our own per-group billed units.
    const groupDim = allocationDimension(query.groupBy);
    const base = { ...rangeParams(query, range), interval: 'month' };
    return [
      connectorRequest('totals', 'usage', usageQuery, { ...base, source: query.source, by: 'market,category' }),
      connectorRequest('units', 'usage', usageQuery, { ...base, source: 'estimate', by: `${groupDim},market,category` }),
    ];
  },
  frames: (query, responses) =>
    buildAllocationFrames(responses.get('totals'), responses.get('units'), {
      refId: query.refId,
      dimension: allocationDimension(query.groupBy),
    }),
};
