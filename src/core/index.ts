// The public API of core. Everything outside src/core imports this file (alias @core) and nothing deeper.
export * from './errors';
export * from './model/category';
export * from './model/money';
export * from './model/usage';
export * from './time';
export * from './ratecard/markets';
