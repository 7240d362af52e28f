export {
  priceUsage,
  priceUsageEach,
  FREE_SERVICE_CONVERSATIONS,
  SERVICE_FREE_FROM,
  type PriceUsageOptions,
  type PriceUsageResult,
  type PricedRowSink,
} from './price-usage';
export {
  priceCalls,
  priceCallsEach,
  pulsesOf,
  callCostMicros,
  PULSE_SEC,
  PULSES_PER_MINUTE,
  CALLS_COLUMN,
  type PriceCallsOptions,
  type PriceCallsResult,
  type PricedCallSink,
  type CallTierUsed,
} from './price-calls';
export { tierKey, freeTierKey, splitAcrossTiers, currentTier, type TierPosition } from './tier-ladder';
export { buildUsageRows, type UsageMessage } from './usage-rows';
export { conversationUnits, type ConversationMessage, type ConversationUnit } from './conversation-units';
