export { PMP_START_DAY, pricingModelAt, pricingModelOnDay } from './pricing-model';
export type { MetaPricing, OutboundStatus, TimelineEvent, OutboundEvent } from './timeline-events';
export { classifyTimeline, CSW_MS, FEP_MS, CONVERSATION_MS, type Classification } from './classify-timeline';
