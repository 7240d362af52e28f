export * from './envelope-schema';
export * from './parse-envelope';
export * from './normalise-events';
export * from './verify-signature';
export type * from './webhook-event';
