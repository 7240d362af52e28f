import type { DataFrame } from '@grafana/data';
import { previousPeriod } from '@core';
import { USAGE_DIMENSIONS, usageQuery } from '@contract';
import { csv, withPreviousPeriod, type ConnectorRequest, type TimeRangeMs } from '../api/connector-request';
import type { FrameOptions } from '../frames/usage-frames';
import type { WaspendQuery } from '../query/types';
import type { Responses } from './spec';

/** Group by offers every usage dimension. */
export const allGroupings = (): readonly string[] => USAGE_DIMENSIONS;

/** Group by is hidden. */
export const noGroupings = (): readonly string[] => [];

/** `/usage` over the range (and the previous period when comparing), split as the query groups. */
export function usageRequests(query: WaspendQuery, range: TimeRangeMs): ConnectorRequest[] {
  return withPreviousPeriod(query, range, 'usage', usageQuery, { interval: query.interval, source: query.source, by: csv(query.groupBy) });
}

/**
 * Frames of the `main` response and, when the query compared, of the `previous` one shifted onto
 * the current range and named `... (previous period)`.
 */
export function framesWithPrevious(
  query: WaspendQuery,
  responses: Responses,
  range: TimeRangeMs,
  build: (body: unknown, options: FrameOptions) => DataFrame[],
): DataFrame[] {
  const refId = query.refId;
  const current = build(responses.get('main'), { refId });
  if (!responses.has('previous')) return current;
  const previous: FrameOptions = { refId, shiftMs: range.toMs - previousPeriod(range).toMs, suffix: ' (previous period)' };
  return [...current, ...build(responses.get('previous'), previous)];
}
