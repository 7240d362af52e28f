// The public API of core. Everything outside src/core imports this file (alias @core) and nothing deeper.
export * from './errors';
export * from './model/category';
export * from './model/money';
export * from './model/usage';
export * from './time';
export * from './ratecard/markets';
export * from './ratecard/rate-card';
export * from './ratecard/tiers';
export * from './ratecard/call-rates';
export * from './ratecard/price-book';
export * from './ratecard/price-book-json';
export * from './ratecard/price-book-changes';
export * from './windows';
export * from './pricing';
export * from './projection';
