import type { QueryResultMetaNotice } from '@grafana/data';

/**
 * Warnings for a frame's notices, each text once in the order first met: a pricing gap (a market
 * without a rate) is reported for every day it is met, and Grafana lists every notice it is given.
 */
export function warnings(texts: Iterable<string>): QueryResultMetaNotice[] {
  return [...new Set(texts)].map((text) => ({ severity: 'warning', text }));
}
