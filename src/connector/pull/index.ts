// Public API of the pullers, for the connector's app.ts, health route, metrics and CLI.
export type { PullSink, PullSource, PullCursor, MetaPricingRow, MetaCallRow } from './pull-sink';
export {
  DEFAULT_PULL_OPTIONS,
  resolvePullOptions,
  systemClock,
  type PullWabaConfig,
  type PullStatus,
  type PullState,
  type PullFailureReason,
  type PullClock,
  type PullLogger,
  type PullOptions,
  type RetryPolicy,
  type FetchLike,
} from './pull-types';
export { createPullScheduler, type PullScheduler, type PullSchedulerDeps } from './pull-scheduler';
export { registerPullMetrics, type PullMetrics } from './pull-metrics';
export { PullError, isPullError } from './pull-error';
export { planDays, daysOf, type DayChunk } from './day-plan';
export { parsePricingAnalytics, type ParseContext } from './parse-pricing';
export { parseCallAnalytics } from './parse-calls';
export { parseConversationAnalytics } from './parse-conversations';
export { parseD360Usage } from './parse-d360-usage';
export { ALL_SOURCES } from './sources';
export { redactUrl, redactText } from './redact';
